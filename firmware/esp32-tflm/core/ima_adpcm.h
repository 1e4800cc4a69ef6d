// IMA ADPCM exactly as protocol v1's "ima-adpcm" clip encoding defines it
// (cloud/src/protocol/schemas.ts): header = int16 LE initial predictor, uint8 step index,
// uint8 0; then 4-bit codes, two per byte, low nibble first. 4:1 against pcm16.
// The encoder state can be snapshotted before any even sample, so a clip can start anywhere in
// a continuously encoded ring (clip_recorder.h) with a header that decodes it bit-exactly.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sc::adpcm {

struct State {
  int32_t predictor = 0;
  int32_t index = 0;
};

uint8_t encodeSample(State& s, int16_t sample);  // returns the 4-bit code
int16_t decodeCode(State& s, uint8_t code);
inline size_t encodedBytes(size_t samples) { return 4 + (samples + 1) / 2; }
void writeHeader(const State& s, uint8_t out[4]);
// Whole-buffer helpers (predictor starts at pcm[0], index 0, like the cloud's encoder).
size_t encode(const int16_t* pcm, size_t n, uint8_t* out);
bool decode(const uint8_t* data, size_t bytes, size_t samples, int16_t* out);

}  // namespace sc::adpcm
