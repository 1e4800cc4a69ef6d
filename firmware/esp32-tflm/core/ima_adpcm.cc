#include "ima_adpcm.h"

#include <cstring>

namespace sc::adpcm {
namespace {
constexpr int8_t kIndexTable[16] = {-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8};
constexpr int16_t kStepTable[89] = {
    7,     8,     9,     10,    11,    12,    13,    14,    16,    17,    19,    21,    23,    25,    28,
    31,    34,    37,    41,    45,    50,    55,    60,    66,    73,    80,    88,    97,    107,   118,
    130,   143,   157,   173,   190,   209,   230,   253,   279,   307,   337,   371,   408,   449,   494,
    544,   598,   658,   724,   796,   876,   963,   1060,  1166,  1282,  1411,  1552,  1707,  1878,  2066,
    2272,  2499,  2749,  3024,  3327,  3660,  4026,  4428,  4871,  5358,  5894,  6484,  7132,  7845,  8630,
    9493,  10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767};
int32_t clamp16(int32_t v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : v; }
int32_t clampIndex(int32_t i) { return i < 0 ? 0 : i > 88 ? 88 : i; }
}  // namespace

uint8_t encodeSample(State& s, int16_t sample) {
  const int32_t step = kStepTable[s.index];
  int32_t diff = sample - s.predictor;
  uint8_t code = 0;
  if (diff < 0) {
    code = 8;
    diff = -diff;
  }
  int32_t delta = step >> 3;
  if (diff >= step) {
    code |= 4;
    diff -= step;
    delta += step;
  }
  if (diff >= (step >> 1)) {
    code |= 2;
    diff -= step >> 1;
    delta += step >> 1;
  }
  if (diff >= (step >> 2)) {
    code |= 1;
    delta += step >> 2;
  }
  s.predictor = clamp16(code & 8 ? s.predictor - delta : s.predictor + delta);
  s.index = clampIndex(s.index + kIndexTable[code]);
  return code;
}

int16_t decodeCode(State& s, uint8_t code) {
  const int32_t step = kStepTable[s.index];
  int32_t delta = step >> 3;
  if (code & 4) delta += step;
  if (code & 2) delta += step >> 1;
  if (code & 1) delta += step >> 2;
  s.predictor = clamp16(code & 8 ? s.predictor - delta : s.predictor + delta);
  s.index = clampIndex(s.index + kIndexTable[code & 15]);
  return static_cast<int16_t>(s.predictor);
}

void writeHeader(const State& s, uint8_t out[4]) {
  const int16_t p = static_cast<int16_t>(s.predictor);
  std::memcpy(out, &p, 2);
  out[2] = static_cast<uint8_t>(s.index);
  out[3] = 0;
}

size_t encode(const int16_t* pcm, size_t n, uint8_t* out) {
  State s;
  s.predictor = n ? pcm[0] : 0;
  writeHeader(s, out);
  std::memset(out + 4, 0, (n + 1) / 2);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t code = encodeSample(s, pcm[i]);
    out[4 + i / 2] |= (i & 1) ? static_cast<uint8_t>(code << 4) : code;
  }
  return encodedBytes(n);
}

bool decode(const uint8_t* data, size_t bytes, size_t samples, int16_t* out) {
  if (bytes != encodedBytes(samples) || data[2] > 88) return false;
  State s;
  int16_t p;
  std::memcpy(&p, data, 2);
  s.predictor = p;
  s.index = data[2];
  for (size_t i = 0; i < samples; ++i) {
    const uint8_t b = data[4 + i / 2];
    out[i] = decodeCode(s, (i & 1) ? b >> 4 : b & 0x0F);
  }
  return true;
}

}  // namespace sc::adpcm
