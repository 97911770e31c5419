#pragma once
#include <napi.h>

#include "../net/udp_receiver.h"

namespace roomtone {

// JavaScript face of UdpReceiver: add(fd, slot) and remove(fd) return 0 or an errno;
// drain(arena, records, arrivalMs, maxPackets, perSocket) returns the datagram count;
// stats() returns [errors, lastErrno]; close() releases the epoll descriptor early.
class UdpReceiverBinding : public Napi::ObjectWrap<UdpReceiverBinding> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit UdpReceiverBinding(const Napi::CallbackInfo& info);

 private:
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Remove(const Napi::CallbackInfo& info);
  Napi::Value Drain(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  UdpReceiver receiver_;
};

}  // namespace roomtone
