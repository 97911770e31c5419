#pragma once
#include <napi.h>

#include <memory>
#include <vector>

#include "../mixing/mix_kernel.h"

namespace roomtone {

// JavaScript face of MixKernel. bind() pins the caller's typed arrays (references keep them
// alive) and mix() reads them through raw pointers, so a tick passes only two numbers.
class MixKernelBinding : public Napi::ObjectWrap<MixKernelBinding> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit MixKernelBinding(const Napi::CallbackInfo& info);

 private:
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Settings(const Napi::CallbackInfo& info);
  Napi::Value Limiter(const Napi::CallbackInfo& info);
  Napi::Value Seed(const Napi::CallbackInfo& info);
  Napi::Value Mix(const Napi::CallbackInfo& info);

  std::unique_ptr<MixKernel> kernel_;
  std::vector<Napi::ObjectReference> pinned_;
  bool bound_ = false;
  int32_t capacity_ = 0;
};

}  // namespace roomtone
