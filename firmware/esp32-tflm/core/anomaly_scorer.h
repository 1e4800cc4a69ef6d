// From log-mel frames to window scores, exactly as the card defines (pre-processing and score live
// outside the .tflite): each frame is standardised per band, the last contextFrames frames are
// stacked (oldest first, frame-major) into the model input x, the model reconstructs y, and an
// input's error is mean((x - dequant(y))^2). A window score is the mean error of windowFrames
// consecutive inputs. All buffers are sized in init(); pushFrame() does not allocate.
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
  void reset();

 private:
  const ModelConfig* cfg_ = nullptr;
  ModelRunner* runner_ = nullptr;
  RingBuffer<float> context_;  // standardised frames, contextFrames * nMels
  std::vector<float> x_, norm_;
  int framesSeen_ = 0;
  int inWindow_ = 0;
  double windowSum_ = 0;
  float lastError_ = 0;
};

}  // namespace sc
