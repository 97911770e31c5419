#include "frame_ops.h"

#include <algorithm>

#include "flags.h"
#include "simd.h"

namespace roomtone {

namespace {
inline int32_t gained(int32_t x, int32_t gainQ12) {
  const int32_t v = (x * gainQ12 + 2048) >> 12;
  return std::clamp(v, -32768, 32767);
}
}  // namespace

ROOMTONE_HOT
void measureFrame(const int16_t* x, int32_t n, int32_t gainQ12, int32_t& energy, int32_t& peak) {
  int32_t sum = 0;
  int32_t top = 0;
  if (gainQ12 == kUnityGainQ12) {
    for (int32_t s = 0; s < n; ++s) {
      const int32_t a = x[s] < 0 ? -static_cast<int32_t>(x[s]) : x[s];
      sum += a;
      top = std::max(top, a);
    }
  } else {
    for (int32_t s = 0; s < n; ++s) {
      const int32_t v = gained(x[s], gainQ12);
      const int32_t a = v < 0 ? -v : v;
      sum += a;
      top = std::max(top, a);
    }
  }
  energy = sum / n;
  peak = top;
}

ROOMTONE_HOT
void scaleFrame(const int16_t* x, int32_t n, int32_t gainQ12, int32_t* out) {
  if (gainQ12 == kUnityGainQ12) {
    for (int32_t s = 0; s < n; ++s) out[s] = x[s];
  } else {
    for (int32_t s = 0; s < n; ++s) out[s] = gained(x[s], gainQ12);
  }
}

ROOMTONE_HOT
void addFrame(int32_t* acc, const int32_t* x, int32_t n) {
  for (int32_t s = 0; s < n; ++s) acc[s] += x[s];
}

ROOMTONE_HOT
void subFrame(int32_t* acc, const int32_t* x, int32_t n) {
  for (int32_t s = 0; s < n; ++s) acc[s] -= x[s];
}

ROOMTONE_HOT
void addFrame16(int32_t* acc, const int16_t* x, int32_t n) {
  for (int32_t s = 0; s < n; ++s) acc[s] += x[s];
}

void copyFrame(int32_t* acc, const int32_t* x, int32_t n) { std::copy(x, x + n, acc); }

ROOMTONE_HOT
void applyGainQ12(int32_t* acc, int32_t n, int32_t gainQ12) {
  for (int32_t s = 0; s < n; ++s) {
    acc[s] = static_cast<int32_t>((static_cast<int64_t>(acc[s]) * gainQ12 + 2048) >> 12);
  }
}

}  // namespace roomtone
