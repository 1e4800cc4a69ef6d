// WAV reader for the host device: PCM 8/16/24/32-bit, float32, WAVE_FORMAT_EXTENSIBLE; channels
// are averaged to mono; output int16 like the ESP32's I2S path. Throws std::runtime_error naming
// the file on anything it cannot read.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sc::host {

struct WavAudio {
  int sampleRate = 0;
  int channels = 0;
  std::vector<int16_t> mono;
};

WavAudio decodeWav(const std::string& bytes, const std::string& name);
WavAudio readWav(const std::string& path);

}  // namespace sc::host
