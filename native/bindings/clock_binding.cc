#include "clock_binding.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <ctime>

#include "typed_array.h"

namespace roomtone {

namespace {

// No sleep is ever longer than this, whatever the caller passes: a wrong deadline must not
// freeze a media thread.
constexpr double kMaxSleepMs = 20.0;

double steadyMs() {
  const auto ns = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration<double, std::milli>(ns).count();
}

Napi::Value monotonicNow(const Napi::CallbackInfo& info) {
  auto* out = typedArrayData<double>(info.Env(), info[0], napi_float64_array, 1, "out");
  out[0] = steadyMs();
  return info.Env().Undefined();
}

Napi::Value sleepUntil(const Napi::CallbackInfo& info) {
  const double* deadline = typedArrayData<double>(info.Env(), info[0], napi_float64_array, 1, "deadline");
  const double now = steadyMs();
  double target = deadline[0];
  if (!std::isfinite(target) || target <= now) return info.Env().Undefined();
  if (target > now + kMaxSleepMs) target = now + kMaxSleepMs;
  // steady_clock is CLOCK_MONOTONIC on Linux, so the deadline is on the clock monotonicNow reads.
  timespec ts{};
  const double wholeSeconds = std::floor(target / 1000.0);
  ts.tv_sec = static_cast<time_t>(wholeSeconds);
  ts.tv_nsec = static_cast<long>((target - wholeSeconds * 1000.0) * 1e6);
  if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
  return info.Env().Undefined();
}

}  // namespace

void defineClock(Napi::Env env, Napi::Object exports) {
  exports.Set("monotonicNow", Napi::Function::New(env, monotonicNow, "monotonicNow"));
  exports.Set("sleepUntil", Napi::Function::New(env, sleepUntil, "sleepUntil"));
}

}  // namespace roomtone
