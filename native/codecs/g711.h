// G.711 mu-law and A-law (ITU-T G.711), table driven, stateless, allocation free.
#pragma once
#include <cstdint>

namespace roomtone::g711 {

void encodeUlaw(const int16_t* in, uint8_t* out, int32_t n);
void decodeUlaw(const uint8_t* in, int16_t* out, int32_t n);
void encodeAlaw(const int16_t* in, uint8_t* out, int32_t n);
void decodeAlaw(const uint8_t* in, int16_t* out, int32_t n);

}  // namespace roomtone::g711
