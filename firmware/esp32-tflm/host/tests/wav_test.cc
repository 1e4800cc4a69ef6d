// The host device's WAV reader: every sample format the edge-model writer produces, channel
// averaging, odd chunks, and clear errors naming the file for what it cannot read.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "wav.h"

using sc::host::decodeWav;

namespace {
void put16(std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); }
void put32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }

std::string wav(uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits, const std::string& data, bool extensible = false,
                bool oddChunk = false) {
  std::string fmt;
  put16(fmt, extensible ? 0xFFFE : format);
  put16(fmt, channels);
  put32(fmt, rate);
  put32(fmt, rate * channels * bits / 8);
  put16(fmt, static_cast<uint16_t>(channels * bits / 8));
  put16(fmt, bits);
  if (extensible) {
    put16(fmt, 22);
    put16(fmt, bits);
    put32(fmt, 0);
    put16(fmt, format);  // sub-format GUID starts with the format code
    fmt.append(14, '\0');
  }
  std::string body = "WAVE";
  body += "fmt ";
  put32(body, static_cast<uint32_t>(fmt.size()));
  body += fmt;
  if (oddChunk) {
    body += "LIST";
    put32(body, 3);
    body += "abc";
    body += '\0';  // pad byte of an odd-sized chunk
  }
  body += "data";
  put32(body, static_cast<uint32_t>(data.size()));
  body += data;
  std::string out = "RIFF";
  put32(out, static_cast<uint32_t>(body.size()));
  return out + body;
}

std::string errorOf(const std::string& bytes) {
  try {
    decodeWav(bytes, "clip.wav");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Wav, Pcm16MonoAndStereoAveraging) {
  std::string d;
  for (int16_t v : {1000, -1000, 32767, -32768}) put16(d, static_cast<uint16_t>(v));
  auto w = decodeWav(wav(1, 1, 16000, 16, d), "a.wav");
  ASSERT_EQ(w.mono.size(), 4u);
  EXPECT_EQ(w.mono[0], 1000);
  EXPECT_EQ(w.mono[3], -32768);
  auto s = decodeWav(wav(1, 2, 16000, 16, d), "s.wav");
  ASSERT_EQ(s.mono.size(), 2u);
  EXPECT_EQ(s.mono[0], 0);   // (1000 + -1000) / 2
  EXPECT_EQ(s.mono[1], -1);  // (32767 - 32768) / 2 = -0.5 -> rounds to -1 (away from zero)
}

TEST(Wav, Pcm24Float32Pcm8AndExtensible) {
  std::string d24;
  for (int32_t v : {0x400000, -0x400000}) {
    d24 += static_cast<char>(v & 0xFF);
    d24 += static_cast<char>((v >> 8) & 0xFF);
    d24 += static_cast<char>((v >> 16) & 0xFF);
  }
  auto a = decodeWav(wav(1, 1, 16000, 24, d24), "a.wav");
  EXPECT_EQ(a.mono[0], 16384);
  EXPECT_EQ(a.mono[1], -16384);
  std::string df;
  for (float f : {0.5f, -0.25f, std::nanf("")}) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    put32(df, u);
  }
  auto b = decodeWav(wav(3, 1, 16000, 32, df, true, true), "b.wav");
  ASSERT_EQ(b.mono.size(), 3u);
  EXPECT_EQ(b.mono[0], 16384);
  EXPECT_EQ(b.mono[1], -8192);
  EXPECT_EQ(b.mono[2], 0) << "NaN samples become silence";
  std::string d8 = {static_cast<char>(128), static_cast<char>(255), 0};
  auto c = decodeWav(wav(1, 1, 16000, 8, d8), "c.wav");
  EXPECT_EQ(c.mono[0], 0);
  EXPECT_EQ(c.mono[2], -32768);
}

TEST(Wav, TruncatedDataChunkKeepsWholeFrames) {
  std::string d;
  for (int i = 0; i < 10; ++i) put16(d, static_cast<uint16_t>(i));
  std::string bytes = wav(1, 1, 16000, 16, d);
  bytes.resize(bytes.size() - 3);  // cut mid-sample
  auto w = decodeWav(bytes, "t.wav");
  EXPECT_EQ(w.mono.size(), 8u);
}

TEST(Wav, ClearErrorsNamingTheFile) {
  EXPECT_NE(errorOf("hello").find("clip.wav: not a RIFF/WAVE file"), std::string::npos);
  std::string d(8, '\0');
  EXPECT_NE(errorOf(wav(2, 1, 16000, 16, d)).find("unsupported sample format 2/16"), std::string::npos);
  EXPECT_NE(errorOf(wav(1, 0, 16000, 16, d)).find("channel count 0"), std::string::npos);
  std::string noData = wav(1, 1, 16000, 16, d);
  noData.resize(noData.find("data"));
  EXPECT_NE(errorOf(noData).find("no data chunk"), std::string::npos);
  std::string bad = wav(1, 1, 16000, 16, d);
  bad[16] = static_cast<char>(0xFF);  // fmt chunk length runs past the end
  bad[17] = static_cast<char>(0xFF);
  EXPECT_NE(errorOf(bad).find("runs past the end"), std::string::npos);
}
