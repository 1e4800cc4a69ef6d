// Plain-data description of one exported model, filled by the header generated from card.json
// (cmake/model_config.cmake). The core reads parameters only from here, so a new card means a
// rebuild, and the model file is checked against it at load (model_check.h).
#pragma once
#include <cstdint>

namespace sc {

struct FrontendParams {
  int sampleRate;
  int frameLength;
  int hop;
  int fftSize;
  int nMels;
  float fmin;
  float fmax;
  float logFloor;
  int contextFrames;
};

struct QuantParams {
  float scale;
  int32_t zeroPoint;
};

struct Thresholds {
  float alert;          // window score at or above which a window is anomalous
  float borderlineLow;  // [borderlineLow, borderlineHigh) = "unsure": keep a clip for the cloud
  float borderlineHigh;
  float learnMinAlert;  // bounds for the alert threshold the device learns from its own scores
  float learnMaxAlert;
};

// How a window's residuals r_t = z_t - yhat_t become its score (card score.kind;
// edge-model/train/score.ts is the reference).
enum class ScoreKind : uint8_t {
  kInputMse,            // "input-mse": mean over the window of mean_i r_t[i]^2
  kWindowMeanResidual,  // "window-mean-residual": mean_i (mean over the window of r_t[i])^2
};

struct ModelConfig {
  FrontendParams frontend;
  int inputDim;   // nMels * contextFrames
  int outputDim;  // == inputDim for the autoencoder
  QuantParams input;
  QuantParams output;
  // Pre-processing (see anomaly_scorer.h): model frames are dB means of `poolFrames` log-mel
  // frames ("band-standardize" is poolFrames 1 without a std frame); subtract the mean of the
  // mean-frames when levelNormalization ("input-mean"); with stdFrame the last model frame is each
  // band's population std over the frames the others cover; then standardise per band:
  // (x - bandMean[j]) / bandStd[j], j = b for mean frames, nMels + b for the std frame.
  bool levelNormalization;
  int poolFrames;         // >= 1
  bool stdFrame;
  const float* bandMean;  // [bandStatCount()]
  const float* bandStd;   // [bandStatCount()]
  // Windows are `windowFrames` consecutive model inputs (one input per hop once inputSpanFrames()
  // frames exist), scored as `scoreKind` says.
  int windowFrames;
  // Seconds between reported windows the card's false-alarm target assumes (0 = every window).
  float reportingCadenceS;
  Thresholds thresholds;
  const char* modelSha256;  // hex of the .tflite the header was generated for
  uint32_t modelBytes;
  uint32_t arenaBytes;
  const char* modelName;
  ScoreKind scoreKind = ScoreKind::kInputMse;

  // Model frames that are pooled means (the std frame, if any, is the last of contextFrames).
  constexpr int meanFrames() const { return stdFrame ? frontend.contextFrames - 1 : frontend.contextFrames; }
  // Log-mel frames one model input covers: input t uses frames t .. t + inputSpanFrames() - 1.
  constexpr int inputSpanFrames() const { return meanFrames() * poolFrames; }
  constexpr int bandStatCount() const { return stdFrame ? 2 * frontend.nMels : frontend.nMels; }
};

}  // namespace sc
