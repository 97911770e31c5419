#pragma once
#include <napi.h>

namespace roomtone {

// Adds monotonicNow(out: Float64Array): writes steady-clock milliseconds into out[0].
// Writing into a caller's array instead of returning a number keeps the tick free of
// heap-allocated numbers (performance.now() allocates one per call).
//
// Adds sleepUntil(deadline: Float64Array): blocks the calling thread until the steady clock
// reads deadline[0] ms (at most 20 ms). Node's timers wake on whole milliseconds and never
// sooner than 1 ms; a media thread that must wake at a sub-millisecond point sleeps here.
void defineClock(Napi::Env env, Napi::Object exports);

}  // namespace roomtone
