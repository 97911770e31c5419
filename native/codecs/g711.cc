#include "g711.h"

#include <array>
#include <cstddef>

namespace roomtone::g711 {

namespace {

// Segment search as in the ITU reference code; used only to build the tables at compile time.
constexpr int segment(int value, const std::array<int, 8>& ends) {
  for (int i = 0; i < 8; ++i) {
    if (value <= ends[i]) return i;
  }
  return 8;
}

constexpr uint8_t linearToUlaw14(int pcm) {  // pcm: 14-bit signed
  constexpr std::array<int, 8> ends{0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
  int mask = 0xFF;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7F;
  }
  if (pcm > 8159) pcm = 8159;
  pcm += 0x21;
  const int seg = segment(pcm, ends);
  if (seg >= 8) return static_cast<uint8_t>(0x7F ^ mask);
  return static_cast<uint8_t>(((seg << 4) | ((pcm >> (seg + 1)) & 0xF)) ^ mask);
}

constexpr uint8_t linearToAlaw13(int pcm) {  // pcm: 13-bit signed
  constexpr std::array<int, 8> ends{0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
  int mask = 0xD5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const int seg = segment(pcm, ends);
  if (seg >= 8) return static_cast<uint8_t>(0x7F ^ mask);
  int aval = seg << 4;
  aval |= seg < 2 ? (pcm >> 1) & 0xF : (pcm >> seg) & 0xF;
  return static_cast<uint8_t>(aval ^ mask);
}

constexpr int16_t ulawToLinear(uint8_t u) {
  const int v = ~u & 0xFF;
  int t = ((v & 0x0F) << 3) + 0x84;
  t <<= (v & 0x70) >> 4;
  return static_cast<int16_t>((v & 0x80) ? 0x84 - t : t - 0x84);
}

constexpr int16_t alawToLinear(uint8_t a) {
  const int v = a ^ 0x55;
  int t = (v & 0x0F) << 4;
  const int seg = (v & 0x70) >> 4;
  if (seg == 0) {
    t += 8;
  } else {
    t = (t + 0x108) << (seg - 1);
  }
  return static_cast<int16_t>((v & 0x80) ? t : -t);
}

template <std::size_t N, typename F>
constexpr auto makeTable(F f) {
  std::array<decltype(f(0)), N> table{};
  for (std::size_t i = 0; i < N; ++i) table[i] = f(static_cast<int>(i));
  return table;
}

// Encode tables are indexed by the sample's top 14 (mu-law) or 13 (A-law) bits.
constexpr auto kUlawEncode = makeTable<16384>([](int i) { return linearToUlaw14(i - 8192); });
constexpr auto kAlawEncode = makeTable<8192>([](int i) { return linearToAlaw13(i - 4096); });
constexpr auto kUlawDecode = makeTable<256>([](int i) { return ulawToLinear(static_cast<uint8_t>(i)); });
constexpr auto kAlawDecode = makeTable<256>([](int i) { return alawToLinear(static_cast<uint8_t>(i)); });

}  // namespace

void encodeUlaw(const int16_t* in, uint8_t* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] = kUlawEncode[(in[i] >> 2) + 8192];
}

void decodeUlaw(const uint8_t* in, int16_t* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] = kUlawDecode[in[i]];
}

void encodeAlaw(const int16_t* in, uint8_t* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] = kAlawEncode[(in[i] >> 3) + 4096];
}

void decodeAlaw(const uint8_t* in, int16_t* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] = kAlawDecode[in[i]];
}

}  // namespace roomtone::g711
