#include "clock_binding.h"

#include <chrono>

#include "typed_array.h"

namespace roomtone {

namespace {

Napi::Value monotonicNow(const Napi::CallbackInfo& info) {
  auto* out = typedArrayData<double>(info.Env(), info[0], napi_float64_array, 1, "out");
  const auto ns = std::chrono::steady_clock::now().time_since_epoch();
  out[0] = std::chrono::duration<double, std::milli>(ns).count();
  return info.Env().Undefined();
}

}  // namespace

void defineClock(Napi::Env env, Napi::Object exports) {
  exports.Set("monotonicNow", Napi::Function::New(env, monotonicNow, "monotonicNow"));
}

}  // namespace roomtone
