// Helpers to read typed-array arguments. TypeScript validates every argument before it
// crosses (src/native/); these checks only turn a broken caller into a TypeError.
#pragma once
#include <napi.h>

namespace roomtone {

template <typename T>
T* typedArrayData(const Napi::Env& env, const Napi::Value& v, napi_typedarray_type type, size_t minLength,
                  const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(env, std::string(name) + ": wrong typed array type");
  }
  auto arr = v.As<Napi::TypedArray>();
  if (arr.ElementLength() < minLength) {
    throw Napi::TypeError::New(env, std::string(name) + ": typed array too short");
  }
  auto* base = static_cast<uint8_t*>(arr.ArrayBuffer().Data());
  return reinterpret_cast<T*>(base + arr.ByteOffset());
}

inline int32_t intArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number");
  return info[i].As<Napi::Number>().Int32Value();
}

}  // namespace roomtone
