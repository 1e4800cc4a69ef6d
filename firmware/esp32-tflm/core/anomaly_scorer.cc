#include "anomaly_scorer.h"

#include <cmath>

namespace sc {

Status AnomalyScorer::init(const ModelConfig& cfg, ModelRunner* runner) {
  const int d = cfg.frontend.nMels * cfg.frontend.contextFrames;
  if (d != cfg.inputDim) return Status::Error("input dim %d != nMels*contextFrames %d", cfg.inputDim, d);
  if (runner->inputInfo().elements() != cfg.inputDim || runner->outputInfo().elements() != cfg.outputDim)
    return Status::Error("runner tensors %d/%d do not match config %d/%d", runner->inputInfo().elements(),
                         runner->outputInfo().elements(), cfg.inputDim, cfg.outputDim);
  if (cfg.windowFrames <= 0) return Status::Error("windowFrames %d must be positive", cfg.windowFrames);
  for (int m = 0; m < cfg.frontend.nMels; ++m)
    if (!(cfg.bandStd[m] > 0)) return Status::Error("bandStd[%d] = %g must be positive", m, cfg.bandStd[m]);
  cfg_ = &cfg;
  runner_ = runner;
  context_.init(static_cast<size_t>(d));
  x_.assign(d, 0.f);
  reset();
  return Status::Ok();
}

void AnomalyScorer::reset() {
  context_.clear();
  framesSeen_ = 0;
  inWindow_ = 0;
  windowSum_ = 0;
  lastError_ = 0;
}

bool AnomalyScorer::pushFrame(const float* mel, float* windowScore) {
  const int nMels = cfg_->frontend.nMels;
  context_.push(mel, nMels);
  if (++framesSeen_ < cfg_->frontend.contextFrames) return false;
  framesSeen_ = cfg_->frontend.contextFrames;  // saturate

  context_.copyLatest(x_.data(), x_.size());
  double sum = 0;
  for (float v : x_) sum += v;
  const float mean = cfg_->levelNormalization ? static_cast<float>(sum / x_.size()) : 0.f;
  for (size_t i = 0; i < x_.size(); ++i) {
    const size_t b = i % static_cast<size_t>(nMels);
    x_[i] = (x_[i] - mean - cfg_->bandMean[b]) / cfg_->bandStd[b];
  }
  int8_t* in = runner_->input();
  const float inv = 1.f / cfg_->input.scale;
  for (size_t i = 0; i < x_.size(); ++i) {
    long q = std::lround(x_[i] * inv) + cfg_->input.zeroPoint;
    in[i] = static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
  }
  runner_->invoke();
  const int8_t* out = runner_->output();
  double err = 0;
  for (size_t i = 0; i < x_.size(); ++i) {
    const float y = cfg_->output.scale * (static_cast<int32_t>(out[i]) - cfg_->output.zeroPoint);
    const float d = x_[i] - y;
    err += static_cast<double>(d) * d;
  }
  lastError_ = static_cast<float>(err / x_.size());
  windowSum_ += lastError_;
  if (++inWindow_ < cfg_->windowFrames) return false;
  *windowScore = static_cast<float>(windowSum_ / inWindow_);
  inWindow_ = 0;
  windowSum_ = 0;
  return true;
}

}  // namespace sc
