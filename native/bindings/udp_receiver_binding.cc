#include "udp_receiver_binding.h"

#include <cerrno>
#include <cstring>

#include "typed_array.h"

namespace roomtone {

Napi::Function UdpReceiverBinding::Define(Napi::Env env) {
  return DefineClass(env, "UdpReceiver",
                     {InstanceMethod("add", &UdpReceiverBinding::Add),
                      InstanceMethod("remove", &UdpReceiverBinding::Remove),
                      InstanceMethod("drain", &UdpReceiverBinding::Drain),
                      InstanceMethod("stats", &UdpReceiverBinding::Stats),
                      InstanceMethod("close", &UdpReceiverBinding::Close)});
}

UdpReceiverBinding::UdpReceiverBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UdpReceiverBinding>(info) {
  if (!receiver_.ok()) throw Napi::Error::New(info.Env(), std::string("epoll_create1: ") + std::strerror(errno));
}

Napi::Value UdpReceiverBinding::Add(const Napi::CallbackInfo& info) {
  const int32_t fd = intArg(info, 0);
  const int32_t slot = intArg(info, 1);
  if (fd < 0 || slot < 0) throw Napi::TypeError::New(info.Env(), "fd and slot must not be negative");
  return Napi::Number::New(info.Env(), receiver_.add(fd, static_cast<uint32_t>(slot)));
}

Napi::Value UdpReceiverBinding::Remove(const Napi::CallbackInfo& info) {
  const int32_t fd = intArg(info, 0);
  if (fd < 0) throw Napi::TypeError::New(info.Env(), "fd must not be negative");
  return Napi::Number::New(info.Env(), receiver_.remove(fd));
}

Napi::Value UdpReceiverBinding::Drain(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const int32_t maxPackets = intArg(info, 3);
  const int32_t perSocket = intArg(info, 4);
  if (maxPackets < 0 || perSocket < 1) throw Napi::RangeError::New(env, "maxPackets >= 0 and perSocket >= 1");
  const size_t n = static_cast<size_t>(maxPackets);
  auto* arena = typedArrayData<uint8_t>(env, info[0], napi_uint8_array, n * kRecvSlotBytes, "arena");
  auto* records = typedArrayData<int32_t>(env, info[1], napi_int32_array, n * kRecvRecordFields, "records");
  auto* arrival = typedArrayData<double>(env, info[2], napi_float64_array, n, "arrivalMs");
  return Napi::Number::New(env, receiver_.drain(arena, maxPackets, perSocket, records, arrival));
}

Napi::Value UdpReceiverBinding::Stats(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(receiver_.stats().errors)));
  out.Set(1u, Napi::Number::New(env, receiver_.stats().lastErrno));
  return out;
}

Napi::Value UdpReceiverBinding::Close(const Napi::CallbackInfo& info) {
  receiver_.close();
  return info.Env().Undefined();
}

}  // namespace roomtone
