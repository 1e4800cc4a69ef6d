#include "anomaly_scorer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sc {

Status AnomalyScorer::init(const ModelConfig& cfg, ModelRunner* runner) {
  const int nMels = cfg.frontend.nMels;
  const int d = nMels * cfg.frontend.contextFrames;
  if (d != cfg.inputDim) return Status::Error("input dim %d != nMels*contextFrames %d", cfg.inputDim, d);
  if (runner->inputInfo().elements() != cfg.inputDim || runner->outputInfo().elements() != cfg.outputDim)
    return Status::Error("runner tensors %d/%d do not match config %d/%d", runner->inputInfo().elements(),
                         runner->outputInfo().elements(), cfg.inputDim, cfg.outputDim);
  if (cfg.windowFrames <= 0) return Status::Error("windowFrames %d must be positive", cfg.windowFrames);
  if (cfg.poolFrames < 1) return Status::Error("poolFrames %d must be at least 1", cfg.poolFrames);
  if (cfg.meanFrames() < 1)
    return Status::Error("contextFrames %d leaves no pooled frame beside the std frame", cfg.frontend.contextFrames);
  if (cfg.stdFrame && cfg.inputSpanFrames() < 2)
    return Status::Error("a std frame over %d log-mel frame is always 0", cfg.inputSpanFrames());
  for (int j = 0; j < cfg.bandStatCount(); ++j)
    if (!(cfg.bandStd[j] > 0)) return Status::Error("bandStd[%d] = %g must be positive", j, cfg.bandStd[j]);
  cfg_ = &cfg;
  runner_ = runner;
  span_ = cfg.inputSpanFrames();
  frames_.assign(static_cast<size_t>(span_) * nMels, 0.f);
  x_.assign(d, 0.f);
  residualSum_.assign(cfg.scoreKind == ScoreKind::kWindowMeanResidual ? d : 0, 0.0);
  reset();
  return Status::Ok();
}

void AnomalyScorer::reset() {
  head_ = 0;
  framesSeen_ = 0;
  inWindow_ = 0;
  windowSum_ = 0;
  std::fill(residualSum_.begin(), residualSum_.end(), 0.0);
  lastError_ = 0;
}

// Steps 1–3 from the full ring (head_ = the oldest frame). Recomputed from the raw frames every
// time rather than kept as running sums, so rounding never accumulates over hours of audio; it
// costs ~2·span·nMels float adds per hop (4 K at poolFrames 8), nothing next to the FFT.
void AnomalyScorer::buildInput() {
  const int nMels = cfg_->frontend.nMels;
  const int pool = cfg_->poolFrames;
  const int meanFrames = cfg_->meanFrames();
  const float invPool = 1.f / static_cast<float>(pool);
  auto frame = [&](int k) { return &frames_[static_cast<size_t>((head_ + k) % span_) * nMels]; };

  double sum = 0;
  for (int c = 0; c < meanFrames; ++c) {
    float* xc = &x_[static_cast<size_t>(c) * nMels];
    std::memcpy(xc, frame(c * pool), sizeof(float) * nMels);
    for (int k = 1; k < pool; ++k) {
      const float* row = frame(c * pool + k);
      for (int b = 0; b < nMels; ++b) xc[b] += row[b];
    }
    for (int b = 0; b < nMels; ++b) {
      if (pool > 1) xc[b] *= invPool;
      sum += xc[b];
    }
  }
  if (cfg_->stdFrame) {
    // Population std per band over the span, two-pass (mean = mean of the equal-sized pooled
    // frames, before level normalisation) so float32 keeps the precision the TS double gives.
    float* s = &x_[static_cast<size_t>(meanFrames) * nMels];
    const float invMeans = 1.f / static_cast<float>(meanFrames);
    for (int b = 0; b < nMels; ++b) {
      float m = 0;
      for (int c = 0; c < meanFrames; ++c) m += x_[static_cast<size_t>(c) * nMels + b];
      m *= invMeans;
      float q = 0;
      for (int k = 0; k < span_; ++k) {
        const float dv = frame(k)[b] - m;
        q += dv * dv;
      }
      s[b] = std::sqrt(q / static_cast<float>(span_));
    }
  }
  const int meanCount = meanFrames * nMels;
  const float level = cfg_->levelNormalization ? static_cast<float>(sum / meanCount) : 0.f;
  for (int i = 0; i < meanCount; ++i) {
    const int b = i % nMels;
    x_[i] = (x_[i] - level - cfg_->bandMean[b]) / cfg_->bandStd[b];
  }
  for (int i = meanCount; i < cfg_->inputDim; ++i) {
    const int j = nMels + (i - meanCount);
    x_[i] = (x_[i] - cfg_->bandMean[j]) / cfg_->bandStd[j];
  }
}

bool AnomalyScorer::pushFrame(const float* mel, float* windowScore) {
  const int nMels = cfg_->frontend.nMels;
  std::memcpy(&frames_[static_cast<size_t>(head_) * nMels], mel, sizeof(float) * nMels);
  head_ = (head_ + 1) % span_;
  if (framesSeen_ < span_) ++framesSeen_;  // saturates
  if (framesSeen_ < span_) return false;

  buildInput();
  int8_t* in = runner_->input();
  const float inv = 1.f / cfg_->input.scale;
  for (size_t i = 0; i < x_.size(); ++i) {
    long q = std::lround(x_[i] * inv) + cfg_->input.zeroPoint;
    in[i] = static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
  }
  runner_->invoke();
  const int8_t* out = runner_->output();
  const bool meanResidual = !residualSum_.empty();
  double err = 0;
  for (size_t i = 0; i < x_.size(); ++i) {
    const float y = cfg_->output.scale * (static_cast<int32_t>(out[i]) - cfg_->output.zeroPoint);
    const float d = x_[i] - y;
    err += static_cast<double>(d) * d;
    if (meanResidual) residualSum_[i] += d;
  }
  lastError_ = static_cast<float>(err / x_.size());
  windowSum_ += lastError_;
  if (++inWindow_ < cfg_->windowFrames) return false;
  if (meanResidual) {
    double b = 0;
    for (double& s : residualSum_) {
      const double m = s / inWindow_;
      b += m * m;
      s = 0;
    }
    *windowScore = static_cast<float>(b / residualSum_.size());
  } else {
    *windowScore = static_cast<float>(windowSum_ / inWindow_);
  }
  inWindow_ = 0;
  windowSum_ = 0;
  return true;
}

}  // namespace sc
