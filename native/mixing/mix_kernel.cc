#include "mix_kernel.h"

#include <algorithm>

#include "flags.h"
#include "frame_ops.h"

namespace roomtone {

MixKernel::MixKernel(int32_t samples, int32_t subLen, int32_t maxTopK)
    : samples_(samples),
      maxTopK_(maxTopK),
      contributors_(maxTopK),
      coaches_(maxTopK),
      scaled_(static_cast<size_t>(maxTopK) * samples),
      publicSum_(samples),
      acc_(samples),
      noise_(samples) {
  limiter_.subLen = subLen;
  limiter_.subCount = samples / subLen;
  setLimiter(29204, kUnityGainQ16 / 200);
}

void MixKernel::setLimiter(int32_t threshold, int32_t releaseQ16) {
  limiter_.threshold = threshold;
  limiter_.releaseQ16 = releaseQ16;
}

void MixKernel::ensureCapacity(int32_t capacity) {
  if (static_cast<int32_t>(slot_.size()) < capacity) slot_.resize(capacity, -1);
}

int32_t MixKernel::mix(int32_t n, bool confInjectActive) {
  contributorCount_ = 0;
  coachCount_ = 0;
  noiseReady_ = false;
  measureInputs(n);
  scaleContributors();
  buildPublicSum();

  int16_t* shared = b_.output + static_cast<size_t>(b_.capacity) * samples_;
  int32_t& sharedGain = b_.limiterGain[b_.capacity];
  const int32_t sharedGainStart = sharedGain;
  // Nobody is heard this tick: every listener gets the comfort noise under what else it hears.
  quiet_ = contributorCount_ == 0 && settings_.comfortNoise > 0;
  copyFrame(acc_.data(), publicSum_.data(), samples_);
  if (quiet_) addFrame16(acc_.data(), comfortNoise(), samples_);
  if (confInjectActive) addFrame16(acc_.data(), b_.confInject, samples_);
  limitFrame(acc_.data(), shared, sharedGain, limiter_);

  for (int32_t l = 0; l < n; ++l) {
    if (b_.flags[l] & (kDeaf | kHeld)) {
      b_.sole[l] = -1;
      mixDeafListener(l, sharedGainStart);
    } else {
      b_.sole[l] = soleSource(l, confInjectActive);
      mixListener(l, confInjectActive, sharedGainStart);
    }
  }
  for (int32_t k = 0; k < contributorCount_; ++k) slot_[contributors_[k]] = -1;
  return contributorCount_;
}

void MixKernel::measureInputs(int32_t n) {
  for (int32_t i = 0; i < n; ++i) {
    const uint8_t f = b_.flags[i];
    b_.mixed[i] = 0;
    if (!(f & kHasInput)) {
      b_.energy[i] = 0;
      b_.peak[i] = 0;
      continue;
    }
    measureFrame(b_.input + static_cast<size_t>(i) * samples_, samples_, b_.inGainQ12[i], b_.energy[i],
                 b_.peak[i]);
    if (f & (kMuted | kHeld)) continue;
    if (b_.energy[i] < std::max(b_.threshold[i], 1)) continue;
    selectContributor(i);
  }
}

// Keeps the topK loudest in descending energy; on equal energy the earlier index stays ahead.
void MixKernel::selectContributor(int32_t i) {
  const int32_t e = b_.energy[i];
  const int32_t k = settings_.topK;
  int32_t pos = contributorCount_;
  while (pos > 0 && b_.energy[contributors_[pos - 1]] < e) --pos;
  if (pos >= k) return;
  const int32_t last = std::min(contributorCount_, k - 1);
  for (int32_t j = last; j > pos; --j) contributors_[j] = contributors_[j - 1];
  contributors_[pos] = i;
  contributorCount_ = std::min(contributorCount_ + 1, k);
}

void MixKernel::scaleContributors() {
  for (int32_t k = 0; k < contributorCount_; ++k) {
    const int32_t i = contributors_[k];
    slot_[i] = k;
    b_.mixed[i] = 1;
    scaleFrame(b_.input + static_cast<size_t>(i) * samples_, samples_, b_.inGainQ12[i],
               scaled_.data() + static_cast<size_t>(k) * samples_);
    if (b_.coachOf[i] >= 0) coaches_[coachCount_++] = i;
  }
}

void MixKernel::buildPublicSum() {
  std::fill(publicSum_.begin(), publicSum_.end(), 0);
  for (int32_t k = 0; k < contributorCount_; ++k) {
    if (b_.coachOf[contributors_[k]] >= 0) continue;
    addFrame(publicSum_.data(), scaled_.data() + static_cast<size_t>(k) * samples_, samples_);
  }
}

bool MixKernel::excludes(int32_t listener, int32_t speaker) const {
  for (uint32_t e = b_.exOffsets[listener]; e < b_.exOffsets[listener + 1]; ++e) {
    if (static_cast<int32_t>(b_.exList[e]) == speaker) return true;
  }
  return false;
}

bool MixKernel::needsPersonal(int32_t l) const {
  if (isPublicContributor(l)) return true;
  if (b_.outGainQ12[l] != kUnityGainQ12) return true;
  if (b_.flags[l] & kInject) return true;
  for (uint32_t e = b_.exOffsets[l]; e < b_.exOffsets[l + 1]; ++e) {
    if (isPublicContributor(static_cast<int32_t>(b_.exList[e]))) return true;
  }
  for (int32_t c = 0; c < coachCount_; ++c) {
    if (b_.coachOf[coaches_[c]] == l && !excludes(l, coaches_[c])) return true;
  }
  return false;
}

// The only input listener l hears, at unity gain with nothing added: its mix is that input's
// audio, so the transport may forward the packet it came from instead of encoding. Else -1.
int32_t MixKernel::soleSource(int32_t l, bool confInject) const {
  if (confInject || (b_.flags[l] & kInject) || b_.outGainQ12[l] != kUnityGainQ12) return -1;
  int32_t sole = -1;
  for (int32_t k = 0; k < contributorCount_; ++k) {
    const int32_t i = contributors_[k];
    if (i == l || (b_.coachOf[i] >= 0 && b_.coachOf[i] != l) || excludes(l, i)) continue;
    if (sole >= 0) return -1;
    sole = i;
  }
  return sole >= 0 && b_.inGainQ12[sole] == kUnityGainQ12 ? sole : -1;
}

void MixKernel::mixListener(int32_t l, bool confInject, int32_t sharedGainStart) {
  if (!needsPersonal(l)) {
    b_.mode[l] = kModeShared;
    return;
  }
  int32_t* acc = acc_.data();
  copyFrame(acc, publicSum_.data(), samples_);
  if (isPublicContributor(l)) subFrame(acc, scaled_.data() + static_cast<size_t>(slot_[l]) * samples_, samples_);
  for (uint32_t e = b_.exOffsets[l]; e < b_.exOffsets[l + 1]; ++e) {
    const int32_t s = static_cast<int32_t>(b_.exList[e]);
    if (isPublicContributor(s)) subFrame(acc, scaled_.data() + static_cast<size_t>(slot_[s]) * samples_, samples_);
  }
  for (int32_t c = 0; c < coachCount_; ++c) {
    const int32_t coach = coaches_[c];
    if (b_.coachOf[coach] != l || excludes(l, coach)) continue;
    addFrame(acc, scaled_.data() + static_cast<size_t>(slot_[coach]) * samples_, samples_);
  }
  if (quiet_) addFrame16(acc, comfortNoise(), samples_);
  if (confInject) addFrame16(acc, b_.confInject, samples_);
  finishPersonal(l, sharedGainStart);
}

// A deaf or held listener hears no mix, only its private injection and the comfort noise.
void MixKernel::mixDeafListener(int32_t l, int32_t sharedGainStart) {
  const bool inject = b_.flags[l] & kInject;
  if (!inject && settings_.comfortNoise == 0) {
    b_.mode[l] = kModeSilent;
    return;
  }
  int32_t* acc = acc_.data();
  std::fill(acc, acc + samples_, 0);
  if (settings_.comfortNoise > 0) addFrame16(acc, comfortNoise(), samples_);
  finishPersonal(l, sharedGainStart);
}

// Adds the private injection, applies the listener's gain and limiter, and writes its slot.
// A listener that was not on a personal mix last tick continues from the shared limiter's
// gain, so moving between shared and personal mixes does not jump in level.
void MixKernel::finishPersonal(int32_t l, int32_t sharedGainStart) {
  int32_t* acc = acc_.data();
  if (b_.flags[l] & kInject) addFrame16(acc, b_.inject + static_cast<size_t>(l) * samples_, samples_);
  if (b_.outGainQ12[l] != kUnityGainQ12) applyGainQ12(acc, samples_, b_.outGainQ12[l]);
  int32_t& gain = b_.limiterGain[l];
  if (b_.mode[l] != kModePersonal) gain = sharedGainStart;
  limitFrame(acc, b_.output + static_cast<size_t>(l) * samples_, gain, limiter_);
  b_.mode[l] = kModePersonal;
}

// xorshift32 noise, generated at most once per tick and shared by every listener that hears it.
const int16_t* MixKernel::comfortNoise() {
  if (!noiseReady_) {
    const uint32_t span = static_cast<uint32_t>(settings_.comfortNoise) * 2 + 1;
    for (int32_t s = 0; s < samples_; ++s) {
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 17;
      rng_ ^= rng_ << 5;
      noise_[s] = static_cast<int16_t>(static_cast<int32_t>(rng_ % span) - settings_.comfortNoise);
    }
    noiseReady_ = true;
  }
  return noise_.data();
}

}  // namespace roomtone
