#include "resampler_binding.h"

#include "typed_array.h"

namespace roomtone {

Napi::Function ResamplerBinding::Define(Napi::Env env) {
  return DefineClass(env, "Resampler",
                     {InstanceMethod("process", &ResamplerBinding::Process),
                      InstanceMethod("reset", &ResamplerBinding::Reset),
                      InstanceMethod("tapsPerPhase", &ResamplerBinding::TapsPerPhase)});
}

ResamplerBinding::ResamplerBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ResamplerBinding>(info) {
  resampler_ = std::make_unique<Resampler>(intArg(info, 0), intArg(info, 1), intArg(info, 2));
}

Napi::Value ResamplerBinding::Process(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto in = info[0].As<Napi::TypedArray>();
  const int32_t n = static_cast<int32_t>(in.ElementLength());
  if (n > resampler_->maxInput() || (static_cast<int64_t>(n) * resampler_->up()) % resampler_->down() != 0) {
    throw Napi::TypeError::New(env, "input length is not a whole number of blocks within maxInput");
  }
  const size_t outLen = static_cast<size_t>(n) * resampler_->up() / resampler_->down();
  const auto* src = typedArrayData<int16_t>(env, info[0], napi_int16_array, 0, "input");
  auto* dst = typedArrayData<int16_t>(env, info[1], napi_int16_array, outLen, "output");
  resampler_->process(src, n, dst);
  return env.Undefined();
}

Napi::Value ResamplerBinding::Reset(const Napi::CallbackInfo& info) {
  resampler_->reset();
  return info.Env().Undefined();
}

Napi::Value ResamplerBinding::TapsPerPhase(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), resampler_->tapsPerPhase());
}

}  // namespace roomtone
