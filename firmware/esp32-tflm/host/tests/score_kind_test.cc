// The two window scores (card score.kind) in the scorer, on the fixture model's runner. The
// reference is written from the definition (edge-model/train/score.ts) in double precision from
// the z the scorer fed the model and the ŷ the runner returned, so the accumulation, the window
// boundaries and the reset between windows are checked against something the scorer did not
// compute. End-to-end parity with the TypeScript export is in device_model/pipeline_parity_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "anomaly_scorer.h"
#include "int8_reference_runner.h"
#include "model_config.h"

using namespace sc;

namespace {

struct Window {
  std::vector<std::vector<double>> residuals;  // one per input
};

double referenceScore(ScoreKind kind, const Window& w) {
  const size_t d = w.residuals.front().size();
  const double n = static_cast<double>(w.residuals.size());
  if (kind == ScoreKind::kInputMse) {
    double s = 0;
    for (const auto& r : w.residuals) {
      double e = 0;
      for (double v : r) e += v * v;
      s += e / d;
    }
    return s / n;
  }
  double s = 0;
  for (size_t i = 0; i < d; ++i) {
    double m = 0;
    for (const auto& r : w.residuals) m += r[i];
    m /= n;
    s += m * m;
  }
  return s / d;
}

// Runs `frames` random log-mel frames through a scorer of `kind`; returns scorer and reference
// window scores.
void scoreBoth(ScoreKind kind, int frames, std::vector<float>* got, std::vector<double>* want) {
  ModelConfig cfg = generated::kModelConfig;
  cfg.scoreKind = kind;
  cfg.windowFrames = 7;
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer s;
  ASSERT_TRUE(s.init(cfg, &r).ok);
  std::mt19937 rng(5);
  std::normal_distribution<float> d(-45.f, 9.f);
  std::vector<float> mel(cfg.frontend.nMels);
  Window w;
  for (int f = 0; f < frames; ++f) {
    for (int b = 0; b < cfg.frontend.nMels; ++b) mel[b] = d(rng) + 0.3f * b;
    float score = -1;
    const bool done = s.pushFrame(mel.data(), &score);
    if (!s.inputReady()) continue;
    std::vector<double> res(cfg.inputDim);
    for (int i = 0; i < cfg.inputDim; ++i) {
      const double y = cfg.output.scale * (static_cast<int>(r.output()[i]) - cfg.output.zeroPoint);
      res[i] = s.lastInput()[i] - y;
    }
    w.residuals.push_back(res);
    if (done) {
      got->push_back(score);
      want->push_back(referenceScore(kind, w));
      w.residuals.clear();
    }
  }
  EXPECT_EQ(w.residuals.size() < 7u, true);
}

}  // namespace

TEST(ScoreKind, BothKindsMatchTheDefinitionWindowByWindow) {
  for (ScoreKind kind : {ScoreKind::kInputMse, ScoreKind::kWindowMeanResidual}) {
    std::vector<float> got;
    std::vector<double> want;
    scoreBoth(kind, 60, &got, &want);
    ASSERT_EQ(got.size(), want.size());
    // inputs start at frame span (5 for the fixture), 56 inputs -> 8 whole windows of 7.
    EXPECT_EQ(got.size(), 8u);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5 * (1 + want[i])) << "window " << i;
  }
}

TEST(ScoreKind, MeanResidualIsAtMostTheMeanSquaredResidual) {
  // Jensen: (mean r)² ≤ mean r², per element and so per window; equal only for a constant residual.
  std::vector<float> mse, mr;
  std::vector<double> ignore;
  scoreBoth(ScoreKind::kInputMse, 60, &mse, &ignore);
  scoreBoth(ScoreKind::kWindowMeanResidual, 60, &mr, &ignore);
  ASSERT_EQ(mse.size(), mr.size());
  for (size_t i = 0; i < mse.size(); ++i) {
    EXPECT_LE(mr[i], mse[i] * (1 + 1e-6f));
    EXPECT_GT(mr[i], 0.f);
  }
}
