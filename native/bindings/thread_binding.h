#pragma once
#include <napi.h>

namespace roomtone {

// Adds setRealtimePriority(priority: number): number. Puts the calling thread (only it: a
// media worker, not the process) under SCHED_RR at `priority` (1-99) and returns 0, or the
// errno (EPERM without CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it). The caller validates.
void defineThread(Napi::Env env, Napi::Object exports);

}  // namespace roomtone
