// Verdict state machine scenarios and the window scorer on the fixture model.
#include <gtest/gtest.h>

#include <random>

#include "anomaly_scorer.h"
#include "int8_reference_runner.h"
#include "model_config.h"
#include "verdict_fsm.h"

using namespace sc;

namespace {
const Thresholds kCard{1.0f, 0.7f, 1.0f, 0.5f, 2.0f};

struct Run {
  std::vector<DeviceState> states;
  int count(DeviceState s) const { return static_cast<int>(std::count(states.begin(), states.end(), s)); }
};

Run feed(VerdictFsm& f, const std::vector<float>& scores) {
  Run r;
  for (float s : scores) r.states.push_back(f.step(s).state);
  return r;
}

std::vector<float> level(int n, float mean, uint32_t seed, float jitter = 0.1f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(1 - jitter, 1 + jitter);
  std::vector<float> v(n);
  for (auto& x : v) x = mean * d(rng);
  return v;
}

VerdictParams noLearning() {
  VerdictParams p;
  p.learningWindows = 0;
  return p;
}
}  // namespace

TEST(VerdictFsm, NormalFaultRecovery) {
  VerdictFsm f;
  f.init(kCard, noLearning());
  auto normal = feed(f, level(300, 0.4f, 1));
  EXPECT_EQ(normal.count(DeviceState::Normal), 300);

  auto fault = feed(f, level(60, 2.5f, 2));
  // Minimum duration: not on the first fault window, but within ~alarmEnter + smoothing lag.
  auto firstAlarm = std::find(fault.states.begin(), fault.states.end(), DeviceState::Alarm) - fault.states.begin();
  EXPECT_GE(firstAlarm, 4);
  EXPECT_LE(firstAlarm, 10);
  EXPECT_EQ(fault.states.back(), DeviceState::Alarm);

  auto recovery = feed(f, level(200, 0.4f, 3));
  // Alarm is held for at least clearWindows, passes through watch, ends normal.
  EXPECT_GE(recovery.count(DeviceState::Alarm), 10);
  EXPECT_GE(recovery.count(DeviceState::Watch), 10);
  EXPECT_EQ(recovery.states.back(), DeviceState::Normal);
}

TEST(VerdictFsm, BorderlineDriftGoesToWatchNotAlarm) {
  VerdictFsm f;
  f.init(kCard, noLearning());
  feed(f, level(50, 0.4f, 4));
  auto drift = feed(f, level(100, 0.85f, 5, 0.05f));
  EXPECT_EQ(drift.count(DeviceState::Alarm), 0);
  EXPECT_EQ(drift.states.back(), DeviceState::Watch);
}

TEST(VerdictFsm, IsolatedSpikesNeverAlarm) {
  VerdictFsm f;
  f.init(kCard, noLearning());
  auto scores = level(1000, 0.4f, 6);
  for (size_t i = 20; i < 500; i += 37) scores[i] = 1000.f;                 // single huge spikes
  for (size_t i = 510; i + 1 < scores.size(); i += 41) scores[i] = scores[i + 1] = 50.f;  // pairs
  scores[505] = std::nanf("");                                                      // a corrupt window
  auto r = feed(f, scores);
  EXPECT_EQ(r.count(DeviceState::Normal), 1000);
}

TEST(VerdictFsm, LearnsALoudMachineBaselineWithinCardBounds) {
  VerdictParams p;
  p.learningWindows = 400;
  VerdictFsm f;
  f.init(kCard, p);
  // This machine's normal sits at 1.1 × the card's alert: the card thresholds alone would alarm.
  auto learning = feed(f, level(400, 1.1f, 7));
  EXPECT_EQ(learning.count(DeviceState::Learning), 399);
  EXPECT_TRUE(f.learned());
  EXPECT_GT(f.alert(), 1.2f);
  EXPECT_LE(f.alert(), kCard.learnMaxAlert);
  EXPECT_GT(f.borderlineLow(), 1.2f);  // above this machine's normal
  EXPECT_LE(f.borderlineLow(), f.alert());
  auto after = feed(f, level(500, 1.1f, 8));
  EXPECT_EQ(after.count(DeviceState::Normal), 500);
  auto fault = feed(f, level(50, 4.0f, 9));
  EXPECT_EQ(fault.states.back(), DeviceState::Alarm);
}

TEST(VerdictFsm, QuietMachineThresholdIsClampedToCardMinimum) {
  VerdictParams p;
  p.learningWindows = 200;
  VerdictFsm f;
  f.init(kCard, p);
  feed(f, level(200, 0.01f, 10));
  EXPECT_FLOAT_EQ(f.alert(), kCard.learnMinAlert);
}

TEST(VerdictFsm, BrokenAtInstallationAlarmsWhileLearning) {
  VerdictParams p;
  p.learningWindows = 1000;
  VerdictFsm f;
  f.init(kCard, p);
  auto r = feed(f, level(100, 5.0f, 11));
  EXPECT_EQ(r.states.back(), DeviceState::Alarm);
  EXPECT_FALSE(f.learned());
}

TEST(VerdictFsm, BaselineSurvivesRebootAndRejectsOutOfBounds) {
  VerdictParams p;
  p.learningWindows = 100;
  VerdictFsm a;
  a.init(kCard, p);
  a.setModelTag(0xabcdef01);
  feed(a, level(100, 1.0f, 12));
  BaselineRecord rec = a.baseline();
  VerdictFsm b;
  b.init(kCard, p);
  EXPECT_FALSE(b.restore(rec, 0x12345678)) << "learned with another model";
  ASSERT_TRUE(b.restore(rec, 0xabcdef01));
  EXPECT_EQ(b.state(), DeviceState::Normal);
  EXPECT_FLOAT_EQ(b.alert(), a.alert());
  BaselineRecord bad = rec;
  bad.alert = 99.f;
  VerdictFsm c;
  c.init(kCard, p);
  EXPECT_FALSE(c.restore(bad, 0xabcdef01));
  EXPECT_EQ(c.state(), DeviceState::Learning);
}

TEST(AnomalyScorer, EmitsOneScorePerWindowAfterContextFills) {
  const ModelConfig& cfg = generated::kModelConfig;
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer s;
  ASSERT_TRUE(s.init(cfg, &r).ok);
  std::vector<float> mel(cfg.frontend.nMels);
  std::mt19937 rng(5);
  std::normal_distribution<float> d(-50.f, 10.f);
  int windows = 0;
  const int frames = cfg.frontend.contextFrames - 1 + cfg.windowFrames * 3;
  for (int i = 0; i < frames; ++i) {
    for (auto& m : mel) m = d(rng);
    float score = -1;
    if (s.pushFrame(mel.data(), &score)) {
      ++windows;
      EXPECT_GT(score, 0.f);
      EXPECT_TRUE(std::isfinite(score));
    }
  }
  EXPECT_EQ(windows, 3);
}

TEST(AnomalyScorer, RejectsMismatchedRunner) {
  ModelConfig cfg = generated::kModelConfig;
  cfg.inputDim = 64 * 4;
  cfg.frontend.contextFrames = 4;
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer s;
  Status st = s.init(cfg, &r);
  EXPECT_FALSE(st.ok);
}

TEST(AnomalyScorer, MicrophoneGainDoesNotChangeTheScore) {
  const ModelConfig& cfg = generated::kModelConfig;
  ASSERT_TRUE(cfg.levelNormalization);
  Int8ReferenceRunner r1, r2;
  ASSERT_TRUE(r1.load(generated::kModelData, generated::kModelDataLen).ok);
  ASSERT_TRUE(r2.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer a, b;
  ASSERT_TRUE(a.init(cfg, &r1).ok);
  ASSERT_TRUE(b.init(cfg, &r2).ok);
  std::mt19937 rng(9);
  std::normal_distribution<float> d(-40.f, 6.f);
  std::vector<float> mel(cfg.frontend.nMels), loud(cfg.frontend.nMels);
  int windows = 0;
  for (int i = 0; i < cfg.windowFrames * 2 + cfg.frontend.contextFrames; ++i) {
    for (int m = 0; m < cfg.frontend.nMels; ++m) {
      mel[m] = d(rng);
      loud[m] = mel[m] + 12.f;  // +12 dB microphone gain
    }
    float sa = 0, sb = 0;
    const bool da = a.pushFrame(mel.data(), &sa), db = b.pushFrame(loud.data(), &sb);
    ASSERT_EQ(da, db);
    if (da) {
      ++windows;
      EXPECT_NEAR(sa, sb, 1e-4f * sa);
    }
  }
  EXPECT_EQ(windows, 2);
}
