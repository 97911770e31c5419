#include "g711_binding.h"

#include "../codecs/g711.h"
#include "typed_array.h"

namespace roomtone {

namespace {

template <void (*Fn)(const int16_t*, uint8_t*, int32_t)>
Napi::Value encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = info[0].As<Napi::TypedArray>().ElementLength();
  const auto* src = typedArrayData<int16_t>(env, info[0], napi_int16_array, 0, "pcm");
  auto* dst = typedArrayData<uint8_t>(env, info[1], napi_uint8_array, n, "payload");
  Fn(src, dst, static_cast<int32_t>(n));
  return env.Undefined();
}

template <void (*Fn)(const uint8_t*, int16_t*, int32_t)>
Napi::Value decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = info[0].As<Napi::TypedArray>().ElementLength();
  const auto* src = typedArrayData<uint8_t>(env, info[0], napi_uint8_array, 0, "payload");
  auto* dst = typedArrayData<int16_t>(env, info[1], napi_int16_array, n, "pcm");
  Fn(src, dst, static_cast<int32_t>(n));
  return env.Undefined();
}

}  // namespace

void defineG711(Napi::Env env, Napi::Object exports) {
  exports.Set("encodeUlaw", Napi::Function::New(env, encode<g711::encodeUlaw>, "encodeUlaw"));
  exports.Set("decodeUlaw", Napi::Function::New(env, decode<g711::decodeUlaw>, "decodeUlaw"));
  exports.Set("encodeAlaw", Napi::Function::New(env, encode<g711::encodeAlaw>, "encodeAlaw"));
  exports.Set("decodeAlaw", Napi::Function::New(env, decode<g711::decodeAlaw>, "decodeAlaw"));
}

}  // namespace roomtone
