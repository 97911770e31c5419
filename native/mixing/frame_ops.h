// Sample loops over one frame, shaped so the compiler vectorises them.
#pragma once
#include <cstdint>

namespace roomtone {

// Mean absolute value and peak of x after a Q12 gain (saturating to int16).
// When scaled is non-null it receives the gained samples.
void measureFrame(const int16_t* x, int32_t n, int32_t gainQ12, int32_t& energy, int32_t& peak);
void scaleFrame(const int16_t* x, int32_t n, int32_t gainQ12, int32_t* out);
void addFrame(int32_t* acc, const int32_t* x, int32_t n);
void subFrame(int32_t* acc, const int32_t* x, int32_t n);
void addFrame16(int32_t* acc, const int16_t* x, int32_t n);
void copyFrame(int32_t* acc, const int32_t* x, int32_t n);
void applyGainQ12(int32_t* acc, int32_t n, int32_t gainQ12);

}  // namespace roomtone
