// From log-mel frames to window scores, exactly as the card defines (edge-model/train/preprocess.ts
// and score.ts are the reference; pre-processing and score live outside the .tflite):
//  1. input t covers log-mel frames t .. t + S - 1, S = meanFrames·poolFrames (meanFrames =
//     contextFrames, or contextFrames − 1 with a std frame); model frame c < meanFrames is the dB
//     mean of frames t + c·poolFrames .. t + (c+1)·poolFrames − 1, stacked frame-major into x;
//  2. level normalisation "input-mean": subtract the mean of the meanFrames·nMels pooled values
//     (removes mic gain); with stdFrame the last model frame is each band's population std (dB)
//     over the same S frames, which is level-free already and not shifted;
//  3. per-band standardisation z[i] = (x[i] − bandMean[j]) / bandStd[j], j = b for mean frames
//     and nMels + b for the std frame;
//  4. quantise z with the input scale/zero point, run the model, dequantise ŷ;
//  5. residual r = z − ŷ, input error e = mean(r²); over windowFrames consecutive inputs
//     (non-overlapping windows, one new input per frame) the window score is, by cfg.scoreKind,
//     the mean of e ("input-mse") or mean_i (window mean of r[i])² ("window-mean-residual").
// "band-standardize" cards are the special case poolFrames 1 without a std frame.
// All buffers are sized in init() from the config (the generated header); pushFrame() does not
// allocate.
#pragma once
#include <vector>

#include "model_config_types.h"
#include "model_runner.h"

namespace sc {

class AnomalyScorer {
 public:
  Status init(const ModelConfig& cfg, ModelRunner* runner);
  // Returns true when a window completed; its score is written to *windowScore.
  bool pushFrame(const float* mel, float* windowScore);
  // True once the frame just pushed produced a model input (from the inputSpanFrames()-th frame).
  bool inputReady() const { return framesSeen_ >= span_; }
  // Error of the most recent model input (valid once inputReady()).
  float lastInputError() const { return lastError_; }
  // The standardised input z of the most recent model input (for parity tests).
  const std::vector<float>& lastInput() const { return x_; }
  void reset();
  size_t memoryBytes() const {
    return (frames_.capacity() + x_.capacity()) * sizeof(float) + residualSum_.capacity() * sizeof(double);
  }

 private:
  void buildInput();

  const ModelConfig* cfg_ = nullptr;
  ModelRunner* runner_ = nullptr;
  std::vector<float> frames_;  // ring of the last span_ log-mel frames (dB), span_ * nMels
  int head_ = 0;               // ring slot the next frame goes to (= the oldest stored frame once full)
  int span_ = 0;
  std::vector<float> x_;
  int framesSeen_ = 0;
  int inWindow_ = 0;
  double windowSum_ = 0;
  std::vector<double> residualSum_;  // per input element over the window (window-mean-residual)
  float lastError_ = 0;
};

}  // namespace sc
