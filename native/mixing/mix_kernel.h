// The per-conference mix kernel: energy, gate, top-K, mix-minus with relations and coaching,
// gains, comfort noise, injection and a limiter, in one pass over contiguous buffers.
// The buffers belong to the caller (the TypeScript MixBuffers) and are bound once per growth,
// so a tick crosses into native code with nothing but a participant count.
#pragma once
#include <cstdint>
#include <vector>

#include "limiter.h"

namespace roomtone {

struct MixBindings {
  int32_t capacity = 0;           // participant slots the buffers hold
  const int16_t* input = nullptr;       // capacity * S
  int16_t* output = nullptr;            // (capacity + 1) * S; slot `capacity` is the shared mix
  const int16_t* inject = nullptr;      // capacity * S, private injection per participant
  const int16_t* confInject = nullptr;  // S, injection heard by every listener of the mix
  const uint8_t* flags = nullptr;       // capacity
  const int32_t* inGainQ12 = nullptr;   // capacity
  const int32_t* outGainQ12 = nullptr;  // capacity
  const int32_t* threshold = nullptr;   // capacity, gate on mean absolute energy
  const int32_t* coachOf = nullptr;     // capacity, index of the coached participant or -1
  const uint32_t* exOffsets = nullptr;  // capacity + 1, CSR offsets into exList
  const uint32_t* exList = nullptr;     // speakers each listener does not hear
  int32_t* energy = nullptr;            // out: mean |x| after input gain
  int32_t* peak = nullptr;              // out: max |x| after input gain
  uint8_t* mixed = nullptr;             // out: 1 if the input was mixed this tick
  uint8_t* mode = nullptr;              // in/out: OutputMode (last tick's value is read first)
  int32_t* limiterGain = nullptr;       // capacity + 1, Q16 limiter state; last is the shared mix
  int32_t* sole = nullptr;              // out: capacity, the one input a listener hears unaltered, or -1
};

struct MixSettings {
  int32_t topK = 8;
  int32_t comfortNoise = 0;  // amplitude of the noise deaf listeners, and all in a quiet tick, hear; 0 = none
};

class MixKernel {
 public:
  MixKernel(int32_t samples, int32_t subLen, int32_t maxTopK);

  void bind(const MixBindings& b) { b_ = b; }
  void setSettings(const MixSettings& s) { settings_ = s; }
  void setLimiter(int32_t threshold, int32_t releaseQ16);
  void setNoiseSeed(uint32_t seed) { rng_ = seed ? seed : 1; }
  int32_t samples() const { return samples_; }
  int32_t maxTopK() const { return maxTopK_; }

  // Mixes participants [0, n). Returns the number of contributors.
  int32_t mix(int32_t n, bool confInjectActive);

 private:
  void measureInputs(int32_t n);
  void selectContributor(int32_t i);
  void scaleContributors();
  void buildPublicSum();
  void mixListener(int32_t l, bool confInject, int32_t sharedGainStart);
  void mixDeafListener(int32_t l, int32_t sharedGainStart);
  bool needsPersonal(int32_t l) const;
  int32_t soleSource(int32_t l, bool confInject) const;
  bool excludes(int32_t listener, int32_t speaker) const;
  bool isPublicContributor(int32_t i) const { return slot_[i] >= 0 && b_.coachOf[i] < 0; }
  const int16_t* comfortNoise();
  void finishPersonal(int32_t l, int32_t gainStart);

  const int32_t samples_;
  const int32_t maxTopK_;
  MixBindings b_;
  MixSettings settings_;
  LimiterConfig limiter_;
  uint32_t rng_ = 0x9e3779b9u;

  // Scratch sized once at construction or in ensureCapacity; never per tick.
  std::vector<int32_t> contributors_;   // participant indices, loudest first
  int32_t contributorCount_ = 0;
  std::vector<int32_t> coaches_;        // contributors who coach someone
  int32_t coachCount_ = 0;
  std::vector<int32_t> slot_;           // participant -> contributor slot or -1
  std::vector<int32_t> scaled_;         // maxTopK * samples, contributors after input gain
  std::vector<int32_t> publicSum_;      // samples
  std::vector<int32_t> acc_;            // samples
  std::vector<int16_t> noise_;          // samples
  bool noiseReady_ = false;
  bool quiet_ = false;                  // this tick: nobody heard, comfort noise for everyone

 public:
  void ensureCapacity(int32_t capacity);
};

}  // namespace roomtone
