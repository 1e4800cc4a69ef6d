#include "wav.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "json.h"

namespace sc::host {
namespace {
uint32_t le32(const std::string& b, size_t o) {
  return uint32_t(uint8_t(b[o])) | uint32_t(uint8_t(b[o + 1])) << 8 | uint32_t(uint8_t(b[o + 2])) << 16 | uint32_t(uint8_t(b[o + 3])) << 24;
}
uint16_t le16(const std::string& b, size_t o) { return uint16_t(uint8_t(b[o]) | uint8_t(b[o + 1]) << 8); }
}  // namespace

WavAudio decodeWav(const std::string& b, const std::string& name) {
  auto fail = [&](const std::string& why) { throw std::runtime_error(name + ": " + why); };
  if (b.size() < 12 || b.compare(0, 4, "RIFF") != 0 || b.compare(8, 4, "WAVE") != 0) fail("not a RIFF/WAVE file");
  size_t off = 12;
  int format = 0, channels = 0, rate = 0, bits = 0;
  size_t dataOff = 0, dataLen = 0;
  bool haveFmt = false;
  while (off + 8 <= b.size()) {
    const std::string id = b.substr(off, 4);
    size_t len = le32(b, off + 4);
    const size_t body = off + 8;
    if (id == "data") {
      dataOff = body;
      dataLen = std::min(len, b.size() - body);  // tolerate a truncated final chunk
      break;
    }
    if (body + len > b.size()) fail("chunk '" + id + "' runs past the end of the file");
    if (id == "fmt ") {
      if (len < 16) fail("fmt chunk too short");
      format = le16(b, body);
      channels = le16(b, body + 2);
      rate = static_cast<int>(le32(b, body + 4));
      bits = le16(b, body + 14);
      if (format == 0xFFFE && len >= 26) format = le16(b, body + 24);  // extensible: sub-format GUID's first 2 bytes
      haveFmt = true;
    }
    off = body + len + (len & 1);
  }
  if (!haveFmt) fail("no fmt chunk");
  if (!dataOff) fail("no data chunk");
  if (channels < 1 || channels > 16) fail("unsupported channel count " + std::to_string(channels));
  if (!((format == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32)) || (format == 3 && bits == 32)))
    fail("unsupported sample format " + std::to_string(format) + "/" + std::to_string(bits) + " bits (PCM 8/16/24/32 or float32)");
  const size_t bps = static_cast<size_t>(bits / 8);
  const size_t frames = dataLen / (bps * channels);
  WavAudio w;
  w.sampleRate = rate;
  w.channels = channels;
  w.mono.resize(frames);
  for (size_t f = 0; f < frames; ++f) {
    double acc = 0;
    for (int c = 0; c < channels; ++c) {
      const size_t p = dataOff + (f * channels + c) * bps;
      double v;
      if (format == 3) {
        float x;
        uint32_t u = le32(b, p);
        std::memcpy(&x, &u, 4);
        v = std::isfinite(x) ? x : 0.0;
      } else if (bits == 8) {
        v = (uint8_t(b[p]) - 128) / 128.0;
      } else if (bits == 16) {
        v = int16_t(le16(b, p)) / 32768.0;
      } else if (bits == 24) {
        int32_t x = int32_t(uint32_t(uint8_t(b[p])) << 8 | uint32_t(uint8_t(b[p + 1])) << 16 | uint32_t(uint8_t(b[p + 2])) << 24) >> 8;
        v = x / 8388608.0;
      } else {
        v = int32_t(le32(b, p)) / 2147483648.0;
      }
      acc += v;
    }
    const double m = acc / channels * 32768.0;
    w.mono[f] = static_cast<int16_t>(std::lround(std::max(-32768.0, std::min(32767.0, m))));
  }
  return w;
}

WavAudio readWav(const std::string& path) { return decodeWav(readFile(path), path); }

}  // namespace sc::host
