// From log-mel frames to window scores, exactly as the card defines (edge-model/train/preprocess.ts
// and score.ts are the reference; pre-processing and score live outside the .tflite):
//  1. stack the last contextFrames log-mel frames (dB, oldest first, frame-major) into x (D values);
//  2. level normalisation "input-mean": subtract the mean of all D values (removes mic gain);
//  3. per-band standardisation z[f·nMels+b] = (x - bandMean[b]) / bandStd[b];
//  4. quantise z with the input scale/zero point, run the model, dequantise ŷ;
//  5. input error e = mean((z - ŷ)^2); window score = mean of e over windowFrames consecutive
//     inputs (non-overlapping windows, one new input per frame).
// All buffers are sized in init(); pushFrame() does not allocate.
#pragma once
#include <vector>

#include "model_config_types.h"
#include "model_runner.h"
#include "ring_buffer.h"

namespace sc {

class AnomalyScorer {
 public:
  Status init(const ModelConfig& cfg, ModelRunner* runner);
  // Returns true when a window completed; its score is written to *windowScore.
  bool pushFrame(const float* mel, float* windowScore);
  // Error of the most recent model input (valid after the first full context).
  float lastInputError() const { return lastError_; }
  // The standardised input z of the most recent model input (for parity tests).
  const std::vector<float>& lastInput() const { return x_; }
  void reset();
  size_t memoryBytes() const { return (context_.capacity() + x_.capacity()) * sizeof(float); }

 private:
  const ModelConfig* cfg_ = nullptr;
  ModelRunner* runner_ = nullptr;
  RingBuffer<float> context_;  // raw log-mel frames (dB), contextFrames * nMels
  std::vector<float> x_;
  int framesSeen_ = 0;
  int inWindow_ = 0;
  double windowSum_ = 0;
  float lastError_ = 0;
};

}  // namespace sc
