// libopus encoder and decoder handles. The caller passes its own buffers in and out, so a
// frame costs no allocation; TypeScript (src/codecs/Opus*.ts) checks sizes before calling.
#pragma once
#include <napi.h>
#include <opus.h>

#include <memory>

namespace roomtone {

class OpusEncoderBinding : public Napi::ObjectWrap<OpusEncoderBinding> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit OpusEncoderBinding(const Napi::CallbackInfo& info);

 private:
  // (pcm: Int16Array, out: Uint8Array) -> bytes written, or a negative libopus error.
  Napi::Value Encode(const Napi::CallbackInfo& info);
  // (request, value) -> libopus status; only the integer setters roomtone uses, and reset.
  Napi::Value Ctl(const Napi::CallbackInfo& info);

  struct Destroy {
    void operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }
  };
  std::unique_ptr<OpusEncoder, Destroy> encoder_;
  int channels_ = 1;
};

class OpusDecoderBinding : public Napi::ObjectWrap<OpusDecoderBinding> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit OpusDecoderBinding(const Napi::CallbackInfo& info);

 private:
  // (packet: Uint8Array, out: Int16Array) -> samples per channel, or a negative libopus error.
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);

  struct Destroy {
    void operator()(OpusDecoder* d) const { opus_decoder_destroy(d); }
  };
  std::unique_ptr<OpusDecoder, Destroy> decoder_;
  int channels_ = 1;
};

}  // namespace roomtone
