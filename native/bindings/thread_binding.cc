#include "thread_binding.h"

#include <pthread.h>
#include <sched.h>

namespace roomtone {

namespace {

Napi::Value setRealtimePriority(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "priority must be a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  sched_param param{};
  param.sched_priority = info[0].As<Napi::Number>().Int32Value();
  const int err = pthread_setschedparam(pthread_self(), SCHED_RR, &param);
  return Napi::Number::New(env, err);
}

}  // namespace

void defineThread(Napi::Env env, Napi::Object exports) {
  exports.Set("setRealtimePriority", Napi::Function::New(env, setRealtimePriority, "setRealtimePriority"));
}

}  // namespace roomtone
