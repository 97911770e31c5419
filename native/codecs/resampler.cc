#include "resampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "../mixing/simd.h"

namespace roomtone {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kAttenuationDb = 74.0;  // the Kaiser length formula undershoots; 74 measures >= 72.6 dB
constexpr double kPassEdge = 0.425;
constexpr double kStopEdge = 0.575;

double besselI0(double x) {
  double sum = 1.0;
  double term = 1.0;
  for (int k = 1; k < 50; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

ROOMTONE_HOT
float dot(const float* a, const float* b, int32_t n) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int32_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

Resampler::Resampler(int32_t inRate, int32_t outRate, int32_t maxInput) : maxInput_(maxInput) {
  const int32_t g = std::gcd(inRate, outRate);
  up_ = outRate / g;
  down_ = inRate / g;
  const double highRate = static_cast<double>(inRate) * up_;
  const double low = std::min(inRate, outRate);
  const double transition = (kStopEdge - kPassEdge) * low / highRate;  // cycles per sample
  const double cutoff = 0.5 * low / highRate;
  const double beta = 0.1102 * (kAttenuationDb - 8.7);
  const int32_t length = static_cast<int32_t>(std::ceil((kAttenuationDb - 7.95) / (2.285 * 2 * kPi * transition)));
  taps_ = (length + up_ - 1) / up_;
  const int32_t total = taps_ * up_;
  std::vector<double> h(total);
  const double mid = (total - 1) / 2.0;
  for (int32_t i = 0; i < total; ++i) {
    const double x = i - mid;
    const double sinc = x == 0 ? 2 * cutoff : std::sin(2 * kPi * cutoff * x) / (kPi * x);
    const double r = 2.0 * i / (total - 1) - 1.0;
    h[i] = sinc * besselI0(beta * std::sqrt(std::max(0.0, 1 - r * r))) / besselI0(beta);
  }
  const double sum = std::accumulate(h.begin(), h.end(), 0.0);
  phases_.resize(total);
  for (int32_t p = 0; p < up_; ++p) {
    for (int32_t k = 0; k < taps_; ++k) {
      phases_[p * taps_ + (taps_ - 1 - k)] = static_cast<float>(h[p + k * up_] * up_ / sum);
    }
  }
  buffer_.assign(taps_ - 1 + maxInput_, 0.f);
}

void Resampler::reset() { std::fill(buffer_.begin(), buffer_.end(), 0.f); }

void Resampler::process(const int16_t* in, int32_t n, int16_t* out) {
  const int32_t history = taps_ - 1;
  for (int32_t i = 0; i < n; ++i) buffer_[history + i] = in[i];
  const int32_t outCount = n * up_ / down_;
  for (int32_t m = 0; m < outCount; ++m) {
    const int64_t t = static_cast<int64_t>(m) * down_;
    const int32_t base = static_cast<int32_t>(t / up_);
    const int32_t phase = static_cast<int32_t>(t % up_);
    const float y = dot(phases_.data() + static_cast<size_t>(phase) * taps_, buffer_.data() + base, taps_);
    out[m] = static_cast<int16_t>(std::clamp(std::lround(y), -32768L, 32767L));
  }
  std::copy(buffer_.begin() + n, buffer_.begin() + n + history, buffer_.begin());
}

}  // namespace roomtone
