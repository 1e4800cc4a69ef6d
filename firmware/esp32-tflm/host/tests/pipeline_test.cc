// DevicePipeline: seq numbering over batches, window thinning (reportEvery) and bad options.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>

#include "device_pipeline.h"
#include "int8_reference_runner.h"
#include "model_config.h"
#include "test_util.h"

using namespace sc;

namespace {
struct PipelineRun {
  std::vector<host::Json> messages;
  std::vector<host::Json> clips;
  uint32_t windows = 0;
};

PipelineRun runPipeline(int reportEvery, const std::vector<int16_t>& pcm, bool alarmClipsOnly = false) {
  char tmpl[] = "/tmp/sc-pipe-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  PosixFileStorage st;
  Outbox ob;
  EXPECT_TRUE(st.open(dir + "/outbox.log", false).ok);
  EXPECT_TRUE(ob.open(&st, OutboxLimits{}).ok);
  Int8ReferenceRunner runner;
  EXPECT_TRUE(runner.load(generated::kModelData, generated::kModelDataLen).ok);
  DeviceOptions o;
  o.identity = {"dev_pipe", "0123abcd"};
  o.batchWindows = 3;
  o.reportEvery = reportEvery;
  o.verdict.learningWindows = 0;
  o.clipsEnabled = alarmClipsOnly;
  if (alarmClipsOnly) {
    // A borderline band no score reaches: only entering alarm can capture a clip.
    o.clipBandLow = 1e6f;
    o.clipBandHigh = 2e6f;
    o.clip.minIntervalMs = 0;
  }
  DevicePipeline dev;
  EXPECT_TRUE(dev.init(generated::kModelConfig, &runner, &ob, o, 1000).ok);
  for (size_t i = 0; i < pcm.size(); i += 333) dev.pushPcm(&pcm[i], std::min<size_t>(333, pcm.size() - i));
  EXPECT_TRUE(dev.flush().ok);
  PipelineRun r;
  r.windows = dev.windowsSeen();
  for (const auto& e : ob.pending()) {
    std::string p, json;
    EXPECT_TRUE(ob.readPayload(e, &p).ok);
    if (e.kind == OutboxKind::Clip) {
      r.clips.push_back(host::Json::parse(p));
      continue;
    }
    EXPECT_EQ(e.kind, OutboxKind::CompactVerdicts);
    EXPECT_TRUE(protocol::compactBatchToJson(p, &json));
    r.messages.push_back(host::Json::parse(json));
    if (r.messages.back()["windows"].arr.size() == 3)
      EXPECT_LT(p.size() * 3, json.size() * 1) << "compact form must be much smaller (full 3-window batches)";
  }
  unlink((dir + "/outbox.log").c_str());
  rmdir(dir.c_str());
  return r;
}
}  // namespace

TEST(DevicePipeline, ReportEveryKeepsTheMaxScoreAndWorstStateOfEachGroup) {
  auto noise = test::noise(16000 * 12, 21, 0.2f);
  std::vector<int16_t> pcm(noise.size());
  for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<int16_t>(std::max(-1.f, std::min(1.f, noise[i])) * 32000);
  // Every window, and one per 4 windows.
  PipelineRun all = runPipeline(1, pcm), thin = runPipeline(4, pcm);
  std::vector<const host::Json*> a, b;
  for (auto& m : all.messages)
    for (auto& w : m["windows"].arr) a.push_back(&w);
  for (auto& m : thin.messages)
    for (auto& w : m["windows"].arr) b.push_back(&w);
  ASSERT_EQ(a.size(), all.windows);
  ASSERT_EQ(b.size(), all.windows / 4);
  auto sev = [](const std::string& s) { return s == "alarm" ? 3 : s == "watch" ? 2 : s == "normal" ? 1 : 0; };
  for (size_t g = 0; g < b.size(); ++g) {
    double mx = 0;
    int worst = 0;
    for (size_t k = 0; k < 4; ++k) {
      mx = std::max(mx, (*a[g * 4 + k])["score"].number());
      worst = std::max(worst, sev((*a[g * 4 + k])["state"].string()));
    }
    EXPECT_NEAR((*b[g])["score"].number(), mx, 1e-5 * mx);
    EXPECT_EQ(sev((*b[g])["state"].string()), worst);
    EXPECT_EQ((*b[g])["t"].number(), (*a[g * 4 + 3])["t"].number()) << "t is the end of the group";
  }
  // One seq counter from 1, no gaps.
  for (size_t i = 0; i < all.messages.size(); ++i) EXPECT_EQ(all.messages[i]["seq"].number(), double(i + 1));
}

TEST(DevicePipeline, RejectsBadOptions) {
  Int8ReferenceRunner runner;
  ASSERT_TRUE(runner.load(generated::kModelData, generated::kModelDataLen).ok);
  PosixFileStorage st;
  Outbox ob;
  DevicePipeline dev;
  DeviceOptions o;
  o.identity = {"ok_id", "0123abcd"};
  o.reportEvery = 0;
  EXPECT_FALSE(dev.init(generated::kModelConfig, &runner, &ob, o, 0).ok);
  o.reportEvery = 1;
  o.batchWindows = 121;
  EXPECT_FALSE(dev.init(generated::kModelConfig, &runner, &ob, o, 0).ok);
  o.batchWindows = 10;
  o.identity.bootId = "short";
  EXPECT_FALSE(dev.init(generated::kModelConfig, &runner, &ob, o, 0).ok);
}

namespace {
// Storage that fails every append while `broken` is set (a full or failing flash).
class FlakyStorage : public OutboxStorage {
 public:
  bool broken = false;
  std::string data;
  size_t size() override { return data.size(); }
  Status read(size_t off, uint8_t* out, size_t n) override {
    if (off + n > data.size()) return Status::Error("short");
    std::memcpy(out, data.data() + off, n);
    return Status::Ok();
  }
  Status appendParts(const uint8_t* const* parts, const size_t* sizes, size_t n) override {
    if (broken) return Status::Error("flash write failed");
    for (size_t i = 0; i < n; ++i) data.append(reinterpret_cast<const char*>(parts[i]), sizes[i]);
    return Status::Ok();
  }
  Status truncate(size_t n) override {
    data.resize(n);
    return Status::Ok();
  }
  Status replace(const uint8_t* d, size_t n) override {
    data.assign(reinterpret_cast<const char*>(d), n);
    return Status::Ok();
  }
};
}  // namespace

TEST(DevicePipeline, AMessageThatCannotBeStoredLeavesASeqGap) {
  FlakyStorage st;
  Outbox ob;
  ASSERT_TRUE(ob.open(&st, OutboxLimits{}).ok);
  Int8ReferenceRunner runner;
  ASSERT_TRUE(runner.load(generated::kModelData, generated::kModelDataLen).ok);
  DeviceOptions o;
  o.identity = {"dev_flaky", "0123abcd"};
  o.batchWindows = 1;
  o.verdict.learningWindows = 0;
  o.clipsEnabled = false;
  DevicePipeline dev;
  ASSERT_TRUE(dev.init(generated::kModelConfig, &runner, &ob, o, 0).ok);
  auto noise = test::noise(16000 * 4, 5, 0.2f);
  std::vector<int16_t> pcm(noise.size());
  for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<int16_t>(std::max(-1.f, std::min(1.f, noise[i])) * 32000);
  const size_t third = pcm.size() / 3;
  ASSERT_TRUE(dev.pushPcm(pcm.data(), third).ok);
  st.broken = true;
  EXPECT_FALSE(dev.pushPcm(pcm.data() + third, third).ok) << "the storage failure is reported";
  st.broken = false;
  ASSERT_TRUE(dev.pushPcm(pcm.data() + 2 * third, pcm.size() - 2 * third).ok);
  std::vector<double> seqs;
  for (const auto& e : ob.pending()) {
    std::string p, json;
    ASSERT_TRUE(ob.readPayload(e, &p).ok);
    ASSERT_TRUE(protocol::compactBatchToJson(p, &json));
    seqs.push_back(host::Json::parse(json)["seq"].number());
  }
  ASSERT_GE(seqs.size(), 2u);
  bool gap = false;
  for (size_t i = 1; i < seqs.size(); ++i) {
    EXPECT_GT(seqs[i], seqs[i - 1]);
    gap = gap || seqs[i] > seqs[i - 1] + 1;
  }
  EXPECT_TRUE(gap) << "lost batches must show as a seq gap";
  EXPECT_EQ(dev.lastSeq(), seqs.back());
}

TEST(DevicePipeline, EnteringAlarmCapturesAClipForTheCloudToConfirm) {
  auto noise = test::noise(16000 * 12, 5, 0.5f);
  std::vector<int16_t> pcm(noise.size());
  for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<int16_t>(std::max(-1.f, std::min(1.f, noise[i])) * 32000);
  PipelineRun r = runPipeline(1, pcm, true);
  int entries = 0;
  std::string prev = "learning";
  for (auto& m : r.messages)
    for (auto& w : m["windows"].arr) {
      if (w["state"].string() == "alarm" && prev != "alarm") ++entries;
      prev = w["state"].string();
    }
  ASSERT_GT(entries, 0) << "the scenario must reach alarm";
  // A change of verdict ends its batch at once: every window whose state differs from the window
  // before it is the last window of its message, and the alarm is queued before its clip.
  prev = "learning";
  uint32_t alarmSeq = 0;
  for (auto& m : r.messages) {
    const auto& w = m["windows"].arr;
    for (size_t i = 0; i < w.size(); ++i) {
      const std::string st = w[i]["state"].string();
      if (st != prev) EXPECT_EQ(i, w.size() - 1) << "state change to " << st << " not sent at once";
      if (st == "alarm" && prev != "alarm" && !alarmSeq) alarmSeq = static_cast<uint32_t>(m["seq"].number());
      prev = st;
    }
  }
  ASSERT_FALSE(r.clips.empty());
  EXPECT_LT(alarmSeq, static_cast<uint32_t>(r.clips.front()["seq"].number()));
  EXPECT_EQ(static_cast<int>(r.clips.size()), entries) << "one clip per entry into alarm, none from the (unreachable) band";
  for (auto& c : r.clips) EXPECT_EQ(c["encoding"].string(), "ima-adpcm");
}
