#include "limiter.h"

#include <algorithm>

#include "flags.h"

namespace roomtone {

namespace {

int32_t desiredGain(int32_t peak, int32_t threshold) {
  if (peak <= threshold) return kUnityGainQ16;
  return static_cast<int32_t>((static_cast<int64_t>(threshold) * kUnityGainQ16) / peak);
}

int16_t clampToInt16(int64_t v) {
  return static_cast<int16_t>(std::clamp<int64_t>(v, -32768, 32767));
}

}  // namespace

void limitFrame(const int32_t* acc, int16_t* out, int32_t& gainQ16, const LimiterConfig& cfg) {
  int32_t desired[kMaxSubframes];
  bool unity = gainQ16 == kUnityGainQ16;
  for (int k = 0; k < cfg.subCount; ++k) {
    const int32_t* p = acc + k * cfg.subLen;
    int32_t peak = 0;
    for (int j = 0; j < cfg.subLen; ++j) peak = std::max(peak, p[j] < 0 ? -p[j] : p[j]);
    desired[k] = desiredGain(peak, cfg.threshold);
    unity = unity && desired[k] == kUnityGainQ16;
  }
  const int total = cfg.subLen * cfg.subCount;
  if (unity) {
    for (int s = 0; s < total; ++s) out[s] = static_cast<int16_t>(acc[s]);
    return;
  }
  int32_t start = std::min(gainQ16, desired[0]);
  for (int k = 0; k < cfg.subCount; ++k) {
    int32_t end = std::min(kUnityGainQ16, start + cfg.releaseQ16);
    end = std::min(end, desired[k]);
    if (k + 1 < cfg.subCount) end = std::min(end, desired[k + 1]);
    const int32_t* p = acc + k * cfg.subLen;
    int16_t* o = out + k * cfg.subLen;
    const int64_t diff = static_cast<int64_t>(end) - start;
    for (int j = 0; j < cfg.subLen; ++j) {
      const int64_t g = start + (diff * j) / cfg.subLen;
      o[j] = clampToInt16((static_cast<int64_t>(p[j]) * g) >> 16);
    }
    start = end;
  }
  gainQ16 = start;
}

}  // namespace roomtone
