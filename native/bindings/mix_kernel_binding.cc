#include "mix_kernel_binding.h"

#include "typed_array.h"

namespace roomtone {

Napi::Function MixKernelBinding::Define(Napi::Env env) {
  return DefineClass(env, "MixKernel",
                     {InstanceMethod("bind", &MixKernelBinding::Bind),
                      InstanceMethod("settings", &MixKernelBinding::Settings),
                      InstanceMethod("limiter", &MixKernelBinding::Limiter),
                      InstanceMethod("seed", &MixKernelBinding::Seed),
                      InstanceMethod("mix", &MixKernelBinding::Mix)});
}

MixKernelBinding::MixKernelBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MixKernelBinding>(info) {
  kernel_ = std::make_unique<MixKernel>(intArg(info, 0), intArg(info, 1), intArg(info, 2));
}

Napi::Value MixKernelBinding::Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "bind expects an object");
  Napi::Object o = info[0].As<Napi::Object>();
  const int32_t capacity = o.Get("capacity").As<Napi::Number>().Int32Value();
  const size_t c = static_cast<size_t>(capacity);
  const size_t s = static_cast<size_t>(kernel_->samples());
  std::vector<Napi::ObjectReference> pinned;
  auto get = [&](const char* name) {
    Napi::Value v = o.Get(name);
    if (v.IsObject()) pinned.push_back(Napi::Persistent(v.As<Napi::Object>()));
    return v;
  };
  MixBindings b;
  b.capacity = capacity;
  b.input = typedArrayData<int16_t>(env, get("input"), napi_int16_array, c * s, "input");
  b.output = typedArrayData<int16_t>(env, get("output"), napi_int16_array, (c + 1) * s, "output");
  b.inject = typedArrayData<int16_t>(env, get("inject"), napi_int16_array, c * s, "inject");
  b.confInject = typedArrayData<int16_t>(env, get("confInject"), napi_int16_array, s, "confInject");
  b.flags = typedArrayData<uint8_t>(env, get("flags"), napi_uint8_array, c, "flags");
  b.inGainQ12 = typedArrayData<int32_t>(env, get("inGain"), napi_int32_array, c, "inGain");
  b.outGainQ12 = typedArrayData<int32_t>(env, get("outGain"), napi_int32_array, c, "outGain");
  b.threshold = typedArrayData<int32_t>(env, get("threshold"), napi_int32_array, c, "threshold");
  b.coachOf = typedArrayData<int32_t>(env, get("coachOf"), napi_int32_array, c, "coachOf");
  b.exOffsets = typedArrayData<uint32_t>(env, get("exOffsets"), napi_uint32_array, c + 1, "exOffsets");
  b.exList = typedArrayData<uint32_t>(env, get("exList"), napi_uint32_array, 0, "exList");
  b.energy = typedArrayData<int32_t>(env, get("energy"), napi_int32_array, c, "energy");
  b.peak = typedArrayData<int32_t>(env, get("peak"), napi_int32_array, c, "peak");
  b.mixed = typedArrayData<uint8_t>(env, get("mixed"), napi_uint8_array, c, "mixed");
  b.mode = typedArrayData<uint8_t>(env, get("mode"), napi_uint8_array, c, "mode");
  b.limiterGain = typedArrayData<int32_t>(env, get("limiterGain"), napi_int32_array, c + 1, "limiterGain");
  b.sole = typedArrayData<int32_t>(env, get("sole"), napi_int32_array, c, "sole");
  kernel_->ensureCapacity(capacity);
  kernel_->bind(b);
  pinned_ = std::move(pinned);
  capacity_ = capacity;
  bound_ = true;
  return env.Undefined();
}

Napi::Value MixKernelBinding::Settings(const Napi::CallbackInfo& info) {
  MixSettings s;
  s.topK = intArg(info, 0);
  s.comfortNoise = intArg(info, 1);
  if (s.topK < 1 || s.topK > kernel_->maxTopK()) throw Napi::TypeError::New(info.Env(), "topK out of range");
  kernel_->setSettings(s);
  return info.Env().Undefined();
}

Napi::Value MixKernelBinding::Limiter(const Napi::CallbackInfo& info) {
  kernel_->setLimiter(intArg(info, 0), intArg(info, 1));
  return info.Env().Undefined();
}

Napi::Value MixKernelBinding::Seed(const Napi::CallbackInfo& info) {
  kernel_->setNoiseSeed(static_cast<uint32_t>(info[0].As<Napi::Number>().Uint32Value()));
  return info.Env().Undefined();
}

Napi::Value MixKernelBinding::Mix(const Napi::CallbackInfo& info) {
  if (!bound_) throw Napi::TypeError::New(info.Env(), "mix before bind");
  const int32_t n = intArg(info, 0);
  if (n < 0 || n > capacity_) throw Napi::TypeError::New(info.Env(), "participant count out of range");
  return Napi::Number::New(info.Env(), kernel_->mix(n, info[1].ToBoolean()));
}

}  // namespace roomtone
