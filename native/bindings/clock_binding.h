#pragma once
#include <napi.h>

namespace roomtone {

// Adds monotonicNow(out: Float64Array): writes steady-clock milliseconds into out[0].
// Writing into a caller's array instead of returning a number keeps the tick free of
// heap-allocated numbers (performance.now() allocates one per call).
void defineClock(Napi::Env env, Napi::Object exports);

}  // namespace roomtone
