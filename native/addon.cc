// Module entry. Everything lives in per-instance objects: no mutable globals, so the addon
// loads in every worker thread independently.
#include <napi.h>

#include "bindings/clock_binding.h"
#include "bindings/g711_binding.h"
#include "bindings/mix_kernel_binding.h"
#include "bindings/opus_binding.h"
#include "bindings/resampler_binding.h"
#include "bindings/udp_batch_binding.h"
#include "bindings/udp_receiver_binding.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("MixKernel", roomtone::MixKernelBinding::Define(env));
  exports.Set("OpusEncoder", roomtone::OpusEncoderBinding::Define(env));
  exports.Set("OpusDecoder", roomtone::OpusDecoderBinding::Define(env));
  exports.Set("Resampler", roomtone::ResamplerBinding::Define(env));
  roomtone::defineG711(env, exports);
  roomtone::defineClock(env, exports);
  roomtone::defineUdpBatch(env, exports);
  exports.Set("UdpReceiver", roomtone::UdpReceiverBinding::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(roomtone, Init)
