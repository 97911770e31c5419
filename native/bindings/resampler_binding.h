#pragma once
#include <napi.h>

#include <memory>

#include "../codecs/resampler.h"

namespace roomtone {

class ResamplerBinding : public Napi::ObjectWrap<ResamplerBinding> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ResamplerBinding(const Napi::CallbackInfo& info);

 private:
  Napi::Value Process(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value TapsPerPhase(const Napi::CallbackInfo& info);

  std::unique_ptr<Resampler> resampler_;
};

}  // namespace roomtone
