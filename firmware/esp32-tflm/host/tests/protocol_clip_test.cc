// IMA-ADPCM against the cloud's committed examples, the clip ring, and the protocol encoder's
// messages parsed back and compared field-by-field with the cloud's example messages.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "clip_recorder.h"
#include "ima_adpcm.h"
#include "protocol.h"
#include "test_util.h"

using namespace sc;

namespace {
std::string unbase64(const std::string& s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v = val(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

const std::string kExamples = test::repoPath("cloud/src/protocol/examples");
bool haveExamples() { return std::ifstream(kExamples + "/verdicts.json").good(); }
host::Json example(const std::string& name) { return host::Json::parse(host::readFile(kExamples + "/" + name + ".json")); }

std::set<std::string> keys(const host::Json& j) {
  std::set<std::string> k;
  for (auto& kv : j.obj) k.insert(kv.first);
  return k;
}

std::vector<int16_t> tone(size_t n, double hz, double amp, uint32_t seed) {
  auto nz = test::noise(n, seed, 300.f);
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2 * M_PI * hz * i / 16000) + nz[i]));
  return v;
}

double snrDb(const int16_t* a, const int16_t* b, size_t n) {
  double s = 0, e = 0;
  for (size_t i = 0; i < n; ++i) {
    s += double(a[i]) * a[i];
    e += double(a[i] - b[i]) * (a[i] - b[i]);
  }
  return 10 * std::log10(s / std::max(e, 1.0));
}
}  // namespace

TEST(Base64, KnownVectors) {
  const std::string in = "foobar";
  for (size_t n = 0; n <= in.size(); ++n) {
    static const char* want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    EXPECT_EQ(protocol::base64(reinterpret_cast<const uint8_t*>(in.data()), n), want[n]);
  }
}

TEST(ImaAdpcm, RoundTripAndLayout) {
  auto pcm = tone(16001, 440, 9000, 1);
  std::vector<uint8_t> enc(adpcm::encodedBytes(pcm.size()));
  ASSERT_EQ(adpcm::encode(pcm.data(), pcm.size(), enc.data()), 4 + 8001u);
  int16_t first;
  std::memcpy(&first, enc.data(), 2);
  EXPECT_EQ(first, pcm[0]);  // header predictor = first sample, index 0, reserved 0
  EXPECT_EQ(enc[2], 0);
  EXPECT_EQ(enc[3], 0);
  std::vector<int16_t> back(pcm.size());
  ASSERT_TRUE(adpcm::decode(enc.data(), enc.size(), pcm.size(), back.data()));
  EXPECT_GT(snrDb(pcm.data(), back.data(), pcm.size()), 20.0);
  EXPECT_FALSE(adpcm::decode(enc.data(), enc.size() - 1, pcm.size(), back.data())) << "length must match samples";
}

// The cloud committed the same audio as pcm16 and as ima-adpcm: our encoder must reproduce the
// cloud's bytes exactly from the pcm16 version, so device uploads decode as the cloud expects.
TEST(ImaAdpcm, BitExactWithCloudExample) {
  if (!haveExamples()) GTEST_SKIP() << "cloud protocol examples not present";
  auto pcmJ = example("clip-pcm16");
  auto adJ = example("clip-ima-adpcm");
  std::string raw = unbase64(pcmJ["audio"].string());
  const size_t n = static_cast<size_t>(pcmJ["samples"].number());
  ASSERT_EQ(raw.size(), n * 2);
  std::vector<int16_t> pcm(n);
  std::memcpy(pcm.data(), raw.data(), raw.size());
  std::vector<uint8_t> enc(adpcm::encodedBytes(n));
  adpcm::encode(pcm.data(), n, enc.data());
  EXPECT_EQ(protocol::base64(enc.data(), enc.size()), adJ["audio"].string());
}

TEST(ClipRecorder, ClipDecodesToTheAudioAroundTheTrigger) {
  ClipParams p;
  p.preSeconds = 1.0f;
  p.postSeconds = 0.5f;
  p.minIntervalMs = 0;
  ClipRecorder rec;
  ASSERT_TRUE(rec.init(p).ok);
  // A ramp of tones so every position is distinguishable.
  std::vector<int16_t> pcm(16000 * 4);
  for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * (200 + i * 0.01) * i / 16000));
  const size_t triggerAt = 16000 * 2 + 123;
  ReadyClip clip{};
  bool got = false;
  for (size_t i = 0; i < pcm.size(); i += 160) {
    rec.push(&pcm[i], 160);
    if (i + 160 > triggerAt && i <= triggerAt) ASSERT_TRUE(rec.trigger(1.2f, 1000));
    if (!got && rec.poll(&clip)) {
      got = true;
      break;  // the clip points into the ring: use it before the next push
    }
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(clip.startSample % ClipRecorder::kCheckpointSamples, 0u);
  EXPECT_GE(clip.samples, 16000u * 1.5);
  EXPECT_LE(clip.samples, 16000u * 1.5 + ClipRecorder::kCheckpointSamples);
  EXPECT_FLOAT_EQ(clip.edgeScore, 1.2f);
  std::vector<uint8_t> bytes(clip.header, clip.header + 4);
  for (int k = 0; k < 2; ++k) bytes.insert(bytes.end(), clip.part[k], clip.part[k] + clip.partBytes[k]);
  ASSERT_EQ(bytes.size(), clip.bytes());
  std::vector<int16_t> back(clip.samples);
  ASSERT_TRUE(adpcm::decode(bytes.data(), bytes.size(), clip.samples, back.data()));
  EXPECT_GT(snrDb(&pcm[clip.startSample], back.data(), clip.samples), 20.0) << "clip must be the audio at startSample";
  EXPECT_LE(clip.startSample, triggerAt - 16000 + 160);
}

TEST(ClipRecorder, ClipSpanningTheRingWrapDecodes) {
  ClipParams p;
  p.preSeconds = 0.5f;
  p.postSeconds = 0.25f;
  p.minIntervalMs = 0;
  ClipRecorder rec;
  ASSERT_TRUE(rec.init(p).ok);
  std::vector<int16_t> pcm(16000 * 6);
  for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<int16_t>(6000 * std::sin(2 * M_PI * (300 + i * 0.003) * i / 16000));
  int clips = 0, wrapped = 0;
  uint64_t t = 1;
  for (size_t i = 0; i < pcm.size(); i += 100) {
    rec.push(&pcm[i], 100);
    if (i % 7000 == 0) rec.trigger(1, t++);
    ReadyClip c;
    if (rec.poll(&c)) {
      ++clips;
      if (c.partBytes[1] > 0) ++wrapped;
      std::vector<uint8_t> bytes(c.header, c.header + 4);
      for (int k = 0; k < 2; ++k) bytes.insert(bytes.end(), c.part[k], c.part[k] + c.partBytes[k]);
      std::vector<int16_t> back(c.samples);
      ASSERT_TRUE(adpcm::decode(bytes.data(), bytes.size(), c.samples, back.data()));
      EXPECT_GT(snrDb(&pcm[c.startSample], back.data(), c.samples), 20.0) << "clip " << clips;
      const uint8_t* parts[3] = {c.header, c.part[0], c.part[1]};
      const size_t sizes[3] = {4, c.partBytes[0], c.partBytes[1]};
      std::string b64;
      protocol::base64Append(b64, parts, sizes, 3);
      EXPECT_EQ(b64, protocol::base64(bytes.data(), bytes.size()));
    }
  }
  EXPECT_GE(clips, 10);
  EXPECT_GE(wrapped, 1) << "some clip must cross the ring end";
}

TEST(ClipRecorder, RateLimited) {
  ClipParams p;
  p.minIntervalMs = 60000;
  p.maxPerDay = 2;
  ClipRecorder rec;
  ASSERT_TRUE(rec.init(p).ok);
  std::vector<int16_t> z(16000 * 3, 0);
  ReadyClip c;
  EXPECT_TRUE(rec.trigger(1, 1000));
  EXPECT_FALSE(rec.trigger(1, 2000)) << "already armed";
  rec.push(z.data(), z.size());
  EXPECT_TRUE(rec.poll(&c));
  EXPECT_FALSE(rec.trigger(1, 30000)) << "min interval";
  EXPECT_TRUE(rec.trigger(1, 70000));
  rec.push(z.data(), z.size());
  EXPECT_TRUE(rec.poll(&c));
  EXPECT_FALSE(rec.trigger(1, 200000)) << "max per day";
  EXPECT_TRUE(rec.trigger(1, 1000 + 24ull * 3600 * 1000 + 1));
  EXPECT_EQ(rec.rateLimited(), 2u);
  ClipParams bad;
  bad.preSeconds = 9;
  bad.postSeconds = 2;
  EXPECT_FALSE(rec.init(bad).ok) << "over the protocol's 10 s";
}

TEST(ClipRecorder, AlarmClipSkipsTheIntervalButNotTheDailyLimit) {
  ClipParams p;
  p.minIntervalMs = 60000;
  p.maxPerDay = 3;
  p.preSeconds = 1;
  p.postSeconds = 1;
  ClipRecorder rec;
  ASSERT_TRUE(rec.init(p).ok);
  std::vector<int16_t> half(8000, 0), two(32000, 0);
  ReadyClip c;
  EXPECT_TRUE(rec.trigger(0.1f, 1000));  // borderline
  rec.push(half.data(), half.size());
  // Entering alarm half a second later: the armed capture now ends 1 s after the alarm.
  EXPECT_TRUE(rec.trigger(0.5f, 1500, true));
  rec.push(half.data(), half.size());
  EXPECT_FALSE(rec.poll(&c)) << "still capturing the alarm's post-roll";
  rec.push(half.data(), half.size());
  ASSERT_TRUE(rec.poll(&c));
  EXPECT_FLOAT_EQ(c.edgeScore, 0.5f);
  EXPECT_EQ(c.startSample + c.samples, 24000u) << "ends 1 s after the alarm, not 1 s after the borderline trigger";
  // A borderline trigger 10 s later is inside the minimum interval; an alarm is not.
  EXPECT_FALSE(rec.trigger(0.1f, 11000));
  EXPECT_TRUE(rec.trigger(0.6f, 12000, true));
  rec.push(two.data(), two.size());
  ASSERT_TRUE(rec.poll(&c));
  EXPECT_TRUE(rec.trigger(0.7f, 13000, true));  // third clip of the day
  rec.push(two.data(), two.size());
  ASSERT_TRUE(rec.poll(&c));
  EXPECT_FALSE(rec.trigger(0.8f, 14000, true)) << "max per day holds for alarms too";
}

TEST(Protocol, MessagesHaveExactlyTheCloudExampleFields) {
  protocol::Identity id{"dev_abc-1", "9f8e7d6c5b4a3921"};
  const std::string sha(64, 'a');
  protocol::Window w[2] = {{1780000000000ull, 0.42f, "normal", -38.5f}, {1780000005000ull, std::nanf(""), "watch", -500.f}};
  auto v = host::Json::parse(protocol::withSentAt(protocol::verdictBatch(id, 7, sha, w, 2), 1780000010500ull));
  EXPECT_EQ(v["v"].number(), 1);
  EXPECT_EQ(v["seq"].number(), 7);
  EXPECT_EQ(v["sentAt"].number(), 1780000010500.0);
  EXPECT_EQ(v["windows"][1]["score"].number(), 0) << "NaN is clamped, JSON has no NaN";
  EXPECT_EQ(v["windows"][1]["levelDb"].number(), -200);
  uint8_t audio[5] = {1, 2, 3, 4, 5};
  auto c = host::Json::parse(protocol::clipUpload(id, 8, 1780000009000ull, 1.31f, "ima-adpcm", 2, audio, 5));
  protocol::HeartbeatInfo hb{10, "fw \"1\"", sha, -60, 12345, 3, 8};
  auto h = host::Json::parse(protocol::heartbeat(id, hb));
  EXPECT_EQ(h["firmware"].string(), "fw \"1\"");
  EXPECT_EQ(h["seq"].number(), 8);
  if (!haveExamples()) GTEST_SKIP() << "cloud protocol examples not present";
  EXPECT_EQ(keys(v), keys(example("verdicts")));
  EXPECT_EQ(keys(v["windows"][0]), keys(example("verdicts")["windows"][0]));
  EXPECT_EQ(keys(c), keys(example("clip-ima-adpcm")));
  auto hk = keys(example("heartbeat"));
  for (auto& k : keys(h)) EXPECT_TRUE(hk.count(k)) << "heartbeat field " << k << " not in the cloud example";
}

TEST(Protocol, CompactBatchGivesTheSameJson) {
  protocol::Identity id{"dev_compact-1", "0123456789abcdef"};
  const std::string sha(64, 'c');
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> score(0, 5), level(-120, 20);
  const char* states[] = {"learning", "normal", "watch", "alarm"};
  std::vector<protocol::Window> w;
  for (int i = 0; i < 120; ++i) w.push_back({1780000000000ull + 10000ull * i, score(rng), states[i % 4], level(rng)});
  // Edge values: exact binary halves, NaN, out of range, -0.
  w[0].levelDb = 0.125f;
  w[1].levelDb = -0.125f;
  w[2].levelDb = std::nanf("");
  w[3].levelDb = 1e9f;
  w[4].levelDb = -0.0f;
  w[5].score = std::nanf("");
  const std::string json = protocol::verdictBatch(id, 42, sha, w.data(), w.size());
  const std::string rec = protocol::compactBatch(id, 42, sha, w.data(), w.size());
  std::string back;
  ASSERT_TRUE(protocol::compactBatchToJson(rec, &back));
  EXPECT_EQ(back, json);
  EXPECT_LT(rec.size() * 4, json.size());
  std::printf("120 windows: compact %zu B, JSON %zu B\n", rec.size(), json.size());
  for (size_t cut = 0; cut < rec.size(); cut += 7) EXPECT_FALSE(protocol::compactBatchToJson(rec.substr(0, cut), &back)) << cut;
  // A non-hex model id survives as text (the schema would reject it later, not the outbox).
  const std::string odd = protocol::compactBatch(id, 1, std::string(40, 'z'), w.data(), 2);
  ASSERT_TRUE(protocol::compactBatchToJson(odd, &back));
  EXPECT_EQ(back, protocol::verdictBatch(id, 1, std::string(40, 'z'), w.data(), 2));
  std::string bad = rec;
  bad[0] = 9;
  EXPECT_FALSE(protocol::compactBatchToJson(bad, &back));
}

TEST(Protocol, IdsAreValidated) {
  EXPECT_TRUE(protocol::validDeviceId("dev_3fa9c1d2e4b5"));
  EXPECT_FALSE(protocol::validDeviceId(""));
  EXPECT_FALSE(protocol::validDeviceId("dev 1"));
  EXPECT_FALSE(protocol::validDeviceId(std::string(65, 'a')));
  EXPECT_TRUE(protocol::validBootId(protocol::bootIdFromRandom(0x0123456789abcdefull)));
  EXPECT_EQ(protocol::bootIdFromRandom(0x0123456789abcdefull), "0123456789abcdef");
  EXPECT_FALSE(protocol::validBootId("1234567"));
  EXPECT_FALSE(protocol::validBootId("xyz12345"));
}

TEST(Protocol, HeartbeatCarriesTheThresholdsTheDeviceDecidesWith) {
  protocol::Identity id{"dev_thresholds", "0123456789abcdef"};
  const std::string sha(64, 'b');
  protocol::HeartbeatInfo hb{10, "fw", sha, 1, -1, 0, 4};
  auto before = host::Json::parse(protocol::heartbeat(id, hb));
  EXPECT_FALSE(before.has("thresholds")) << "no thresholds until the device has some";
  hb.alert = 1.25f;
  hb.borderlineLow = 0.9f;
  hb.learned = true;
  auto h = host::Json::parse(protocol::heartbeat(id, hb));
  EXPECT_NEAR(h["thresholds"]["alert"].number(), 1.25, 1e-6);
  EXPECT_NEAR(h["thresholds"]["borderlineLow"].number(), 0.9, 1e-6);
  EXPECT_TRUE(h["thresholds"]["learned"].b);
}
