// Polyphase rational resampler between 8, 16, 24 and 48 kHz, one instance per stream.
//
// The prototype is a Kaiser-windowed sinc (74 dB design, beta 7.2) at the common rate
// L * inRate. With f = the lower of the two rates:
//   passband   0 .. 0.425 f   (3.4 kHz at 8 kHz, 6.8 kHz at 16 kHz): ripple under 0.05 dB
//   stopband   0.575 f ..     attenuation at least 70 dB (72.6 dB measured), so alias and image products land
//                             only in the 0.425 f .. 0.5 f band, never in the passband
// test/codecs/resampler.test.ts measures both claims on tones.
#pragma once
#include <cstdint>
#include <vector>

namespace roomtone {

class Resampler {
 public:
  Resampler(int32_t inRate, int32_t outRate, int32_t maxInput);

  // `in` holds a whole number of blocks: in.length * up % down == 0 (checked by the caller).
  void process(const int16_t* in, int32_t n, int16_t* out);
  int32_t up() const { return up_; }
  int32_t down() const { return down_; }
  int32_t maxInput() const { return maxInput_; }
  int32_t tapsPerPhase() const { return taps_; }
  void reset();

 private:
  int32_t up_;
  int32_t down_;
  int32_t maxInput_;
  int32_t taps_;                 // taps per phase
  std::vector<float> phases_;    // up_ phases of taps_ coefficients, reversed for a dot product
  std::vector<float> buffer_;    // taps_ - 1 history samples followed by the new input
};

}  // namespace roomtone
