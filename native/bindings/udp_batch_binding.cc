#include "udp_batch_binding.h"

#include "../net/udp_batch.h"
#include "typed_array.h"

namespace roomtone {

namespace {

Napi::Value sendBatch(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const int32_t count = intArg(info, 2);
  if (count < 0) throw Napi::RangeError::New(env, "count: must not be negative");
  const auto arena = info[0].As<Napi::TypedArray>();
  const auto* bytes = typedArrayData<uint8_t>(env, info[0], napi_uint8_array, 0, "arena");
  const auto* records = typedArrayData<int32_t>(env, info[1], napi_int32_array, static_cast<size_t>(count) * kUdpRecordFields, "records");
  auto* errors = typedArrayData<int32_t>(env, info[3], napi_int32_array, static_cast<size_t>(count), "errors");
  const int32_t sent = sendUdpBatch(bytes, static_cast<int64_t>(arena.ElementLength()), records, count, errors);
  return Napi::Number::New(env, sent);
}

}  // namespace

void defineUdpBatch(Napi::Env env, Napi::Object exports) {
  exports.Set("sendUdpBatch", Napi::Function::New(env, sendBatch, "sendUdpBatch"));
}

}  // namespace roomtone
