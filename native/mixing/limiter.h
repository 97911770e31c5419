#pragma once
#include <cstdint>

namespace roomtone {

struct LimiterConfig {
  int32_t threshold;     // peak ceiling in int16 units after limiting
  int32_t releaseQ16;    // gain recovered per sub-frame (Q16)
  int32_t subLen;        // samples per sub-frame (1 ms)
  int32_t subCount;      // sub-frames per frame
};

constexpr int kMaxSubframes = 64;

// Smooth peak limiter on a frame of 32-bit sums, writing int16.
// Gain is piecewise linear between sub-frame boundaries; each boundary gain is at most the
// gain that keeps both neighbouring sub-frames under the ceiling, so no sample exceeds it and
// the gain never steps inside a frame. `gainQ16` carries the state across frames.
void limitFrame(const int32_t* acc, int16_t* out, int32_t& gainQ16, const LimiterConfig& cfg);

}  // namespace roomtone
