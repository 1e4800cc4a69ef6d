// "pooled-band-standardize" in the scorer, on the fixture model's runner (320 inputs) with pooling
// and a std frame switched on in a copy of its config. The reference below is written from the
// definition (edge-model/train/preprocess.ts) in double precision over a plain list of frames, so
// ring indexing, pooling, the std frame and the band-statistics index nMels + b are all checked
// against something the scorer did not compute. End-to-end parity with the TypeScript export is in
// device_model/pipeline_parity_test.cc (every committed model).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "anomaly_scorer.h"
#include "int8_reference_runner.h"
#include "model_config.h"

using namespace sc;

namespace {

struct PooledConfig {
  std::vector<float> mean, stdv;
  ModelConfig cfg;
  PooledConfig(int pool, bool stdFrame) : cfg(generated::kModelConfig) {
    const int nMels = cfg.frontend.nMels;
    cfg.poolFrames = pool;
    cfg.stdFrame = stdFrame;
    for (int j = 0; j < cfg.bandStatCount(); ++j) {
      const bool stdStat = j >= nMels;
      mean.push_back(stdStat ? 3.f + 0.01f * j : 6.f - 0.2f * j);
      stdv.push_back(stdStat ? 1.5f + 0.005f * j : 4.f + 0.03f * j);
    }
    cfg.bandMean = mean.data();
    cfg.bandStd = stdv.data();
  }
};

// z of the input that starts at frames[start], straight from the definition.
std::vector<double> reference(const ModelConfig& cfg, const std::vector<std::vector<float>>& frames, size_t start) {
  const int nMels = cfg.frontend.nMels, pool = cfg.poolFrames, meanFrames = cfg.meanFrames();
  std::vector<double> x(static_cast<size_t>(cfg.inputDim));
  double sum = 0;
  for (int c = 0; c < meanFrames; ++c)
    for (int b = 0; b < nMels; ++b) {
      double acc = 0;
      for (int k = 0; k < pool; ++k) acc += frames[start + c * pool + k][b];
      x[c * nMels + b] = acc / pool;
      sum += acc / pool;
    }
  const double level = sum / (meanFrames * nMels);
  for (int i = 0; i < meanFrames * nMels; ++i) x[i] -= level;
  if (cfg.stdFrame) {
    const int span = meanFrames * pool;
    for (int b = 0; b < nMels; ++b) {
      double s1 = 0, s2 = 0;
      for (int f = 0; f < span; ++f) {
        s1 += frames[start + f][b];
        s2 += double(frames[start + f][b]) * frames[start + f][b];
      }
      const double m = s1 / span;
      x[meanFrames * nMels + b] = std::sqrt(std::max(0.0, s2 / span - m * m));
    }
  }
  for (int i = 0; i < cfg.inputDim; ++i) {
    const int j = i >= meanFrames * nMels ? nMels + i % nMels : i % nMels;
    x[i] = (x[i] - cfg.bandMean[j]) / cfg.bandStd[j];
  }
  return x;
}

std::vector<float> randomFrame(std::mt19937& rng, int nMels, float gainDb = 0) {
  std::normal_distribution<float> d(-45.f, 9.f);
  std::vector<float> f(nMels);
  for (int b = 0; b < nMels; ++b) f[b] = d(rng) + 0.3f * b + gainDb;
  return f;
}

}  // namespace

TEST(PooledPreprocess, InputsMatchTheDefinitionForEveryShape) {
  struct Shape {
    int pool;
    bool stdFrame;
  };
  for (Shape sh : {Shape{8, true}, Shape{4, false}, Shape{1, true}, Shape{3, true}, Shape{1, false}}) {
    PooledConfig pc(sh.pool, sh.stdFrame);
    const ModelConfig& cfg = pc.cfg;
    Int8ReferenceRunner r;
    ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
    AnomalyScorer s;
    ASSERT_TRUE(s.init(cfg, &r).ok);
    std::mt19937 rng(11 + sh.pool);
    std::vector<std::vector<float>> frames;
    const int span = cfg.inputSpanFrames();
    EXPECT_EQ(span, (sh.stdFrame ? 4 : 5) * sh.pool);
    double worst = 0;
    int inputs = 0;
    for (int i = 0; i < span + 40; ++i) {  // the ring wraps several times
      frames.push_back(randomFrame(rng, cfg.frontend.nMels));
      float w;
      s.pushFrame(frames.back().data(), &w);
      ASSERT_EQ(s.inputReady(), i + 1 >= span) << "frame " << i;
      if (!s.inputReady()) continue;
      ++inputs;
      const auto want = reference(cfg, frames, frames.size() - span);
      for (int k = 0; k < cfg.inputDim; ++k) worst = std::max(worst, std::fabs(s.lastInput()[k] - want[k]));
    }
    EXPECT_EQ(inputs, 41);
    // float32 pooling/std vs double: far below one input LSB (the fixture's scale is 0.05).
    EXPECT_LT(worst, 2e-4) << "pool " << sh.pool << " stdFrame " << sh.stdFrame;
  }
}

TEST(PooledPreprocess, StdFrameUsesItsOwnBandStatistics) {
  PooledConfig pc(2, true);
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer s;
  ASSERT_TRUE(s.init(pc.cfg, &r).ok);
  // A constant spectrum: every pooled frame equals the level, every band's std is 0, so the std
  // frame's z is exactly (0 - bandMean[nMels+b]) / bandStd[nMels+b].
  const int nMels = pc.cfg.frontend.nMels;
  std::vector<float> flat(nMels, -30.f);
  float w;
  for (int i = 0; i < pc.cfg.inputSpanFrames(); ++i) s.pushFrame(flat.data(), &w);
  ASSERT_TRUE(s.inputReady());
  const int base = pc.cfg.meanFrames() * nMels;
  for (int b = 0; b < nMels; ++b) {
    EXPECT_FLOAT_EQ(s.lastInput()[base + b], -pc.mean[nMels + b] / pc.stdv[nMels + b]);
    EXPECT_FLOAT_EQ(s.lastInput()[b], -pc.mean[b] / pc.stdv[b]);  // level-normalised to 0
  }
}

TEST(PooledPreprocess, WindowsStartOnceTheSpanIsFullAndGainDoesNotMatter) {
  PooledConfig pc(8, true);
  const ModelConfig& cfg = pc.cfg;
  Int8ReferenceRunner r1, r2;
  ASSERT_TRUE(r1.load(generated::kModelData, generated::kModelDataLen).ok);
  ASSERT_TRUE(r2.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer a, b;
  ASSERT_TRUE(a.init(cfg, &r1).ok);
  ASSERT_TRUE(b.init(cfg, &r2).ok);
  std::mt19937 rng(3);
  const int frames = cfg.inputSpanFrames() - 1 + cfg.windowFrames * 3;
  int windows = 0;
  for (int i = 0; i < frames; ++i) {
    const auto f = randomFrame(rng, cfg.frontend.nMels);
    std::vector<float> loud(f);
    for (float& v : loud) v += 12.f;  // +12 dB microphone gain
    float sa = -1, sb = -1;
    const bool da = a.pushFrame(f.data(), &sa), db = b.pushFrame(loud.data(), &sb);
    ASSERT_EQ(da, db);
    if (!da) continue;
    ++windows;
    EXPECT_GT(sa, 0.f);
    EXPECT_NEAR(sa, sb, 1e-4f * sa);
  }
  EXPECT_EQ(windows, 3);
  // reset() needs a full span again before the next input.
  a.reset();
  std::vector<float> f(cfg.frontend.nMels, -40.f);
  float w;
  for (int i = 0; i < cfg.inputSpanFrames() - 1; ++i) {
    a.pushFrame(f.data(), &w);
    EXPECT_FALSE(a.inputReady());
  }
  a.pushFrame(f.data(), &w);
  EXPECT_TRUE(a.inputReady());
}

TEST(PooledPreprocess, InitRejectsImpossibleConfigs) {
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer s;
  {
    PooledConfig pc(0, false);
    EXPECT_FALSE(s.init(pc.cfg, &r).ok);
  }
  {
    PooledConfig pc(4, true);
    pc.stdv[pc.cfg.frontend.nMels + 5] = 0.f;  // a std-frame statistic, past the first nMels
    const Status st = s.init(pc.cfg, &r);
    EXPECT_FALSE(st.ok);
    EXPECT_NE(std::string(st.message).find("bandStd[69]"), std::string::npos) << st.message;
  }
}
