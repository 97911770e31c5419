#include "opus_binding.h"

#include <string>

#include "typed_array.h"

namespace roomtone {

namespace {

void checkCreate(const Napi::Env& env, int error, const char* what) {
  if (error != OPUS_OK) throw Napi::Error::New(env, std::string(what) + ": " + opus_strerror(error));
}

int checkChannels(const Napi::CallbackInfo& info, size_t i) {
  const int channels = intArg(info, i);
  if (channels != 1 && channels != 2) throw Napi::RangeError::New(info.Env(), "channels must be 1 or 2");
  return channels;
}

int32_t byteLength(const Napi::Value& v) { return static_cast<int32_t>(v.As<Napi::TypedArray>().ElementLength()); }

}  // namespace

Napi::Function OpusEncoderBinding::Define(Napi::Env env) {
  return DefineClass(env, "OpusEncoder",
                     {InstanceMethod("encode", &OpusEncoderBinding::Encode), InstanceMethod("ctl", &OpusEncoderBinding::Ctl)});
}

OpusEncoderBinding::OpusEncoderBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OpusEncoderBinding>(info) {
  const int rate = intArg(info, 0);
  channels_ = checkChannels(info, 1);
  int error = OPUS_OK;
  encoder_.reset(opus_encoder_create(rate, channels_, OPUS_APPLICATION_AUDIO, &error));
  checkCreate(info.Env(), error, "opus_encoder_create");
}

Napi::Value OpusEncoderBinding::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto* pcm = typedArrayData<int16_t>(env, info[0], napi_int16_array, 0, "pcm");
  auto* out = typedArrayData<uint8_t>(env, info[1], napi_uint8_array, 1, "out");
  const int frame = byteLength(info[0]) / channels_;
  return Napi::Number::New(env, opus_encode(encoder_.get(), pcm, frame, out, byteLength(info[1])));
}

Napi::Value OpusEncoderBinding::Ctl(const Napi::CallbackInfo& info) {
  const int request = intArg(info, 0);
  const opus_int32 v = intArg(info, 1);
  OpusEncoder* e = encoder_.get();
  int status;
  switch (request) {
    case OPUS_SET_BITRATE_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_BITRATE(v)); break;
    case OPUS_SET_VBR_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_VBR(v)); break;
    case OPUS_SET_COMPLEXITY_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(v)); break;
    case OPUS_SET_INBAND_FEC_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(v)); break;
    case OPUS_SET_PACKET_LOSS_PERC_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(v)); break;
    case OPUS_SET_DTX_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_DTX(v)); break;
    case OPUS_SET_SIGNAL_REQUEST: status = opus_encoder_ctl(e, OPUS_SET_SIGNAL(v)); break;
    case OPUS_RESET_STATE: status = opus_encoder_ctl(e, OPUS_RESET_STATE); break;
    default: throw Napi::RangeError::New(info.Env(), "unsupported Opus encoder request " + std::to_string(request));
  }
  return Napi::Number::New(info.Env(), status);
}

Napi::Function OpusDecoderBinding::Define(Napi::Env env) {
  return DefineClass(env, "OpusDecoder",
                     {InstanceMethod("decode", &OpusDecoderBinding::Decode), InstanceMethod("reset", &OpusDecoderBinding::Reset)});
}

OpusDecoderBinding::OpusDecoderBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OpusDecoderBinding>(info) {
  const int rate = intArg(info, 0);
  channels_ = checkChannels(info, 1);
  int error = OPUS_OK;
  decoder_.reset(opus_decoder_create(rate, channels_, &error));
  checkCreate(info.Env(), error, "opus_decoder_create");
}

Napi::Value OpusDecoderBinding::Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto* packet = typedArrayData<uint8_t>(env, info[0], napi_uint8_array, 1, "packet");
  auto* out = typedArrayData<int16_t>(env, info[1], napi_int16_array, 0, "out");
  const int capacity = byteLength(info[1]) / channels_;
  return Napi::Number::New(env, opus_decode(decoder_.get(), packet, byteLength(info[0]), out, capacity, 0));
}

Napi::Value OpusDecoderBinding::Reset(const Napi::CallbackInfo& info) {
  opus_decoder_ctl(decoder_.get(), OPUS_RESET_STATE);
  return info.Env().Undefined();
}

}  // namespace roomtone
