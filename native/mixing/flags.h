// Participant flag bits and output modes shared with src/mixing/flags.ts.
// Keep the two files in step: the TypeScript side writes these bits, the kernel reads them.
#pragma once
#include <cstdint>

namespace roomtone {

enum ParticipantFlag : uint8_t {
  kMuted = 1,      // input never contributes
  kDeaf = 2,       // listener hears no mix (injection and comfort noise only)
  kHeld = 4,       // neither contributes nor hears the mix
  kHasInput = 8,   // the port delivered a frame this tick
  kInject = 16,    // the participant's private injection slot is active
};

enum OutputMode : uint8_t {
  kModeSilent = 0,    // nothing written; the sender sends silence
  kModeShared = 1,    // listener hears the shared mix slot (index = capacity)
  kModePersonal = 2,  // listener's own slot holds its personal mix
};

constexpr int32_t kUnityGainQ12 = 4096;
constexpr int32_t kUnityGainQ16 = 65536;

}  // namespace roomtone
