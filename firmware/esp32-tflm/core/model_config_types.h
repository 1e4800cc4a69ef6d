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

struct ModelConfig {
  FrontendParams frontend;
  int inputDim;   // nMels * contextFrames
  int outputDim;  // == inputDim for the autoencoder
  QuantParams input;
  QuantParams output;
  // Pre-processing (see anomaly_scorer.h): subtract the stacked input's own mean when
  // levelNormalization ("input-mean"), then standardise per band: (x - bandMean) / bandStd.
  bool levelNormalization;
  const float* bandMean;  // [nMels]
  const float* bandStd;   // [nMels]
  // Windows are scored as the mean reconstruction error of `windowFrames` consecutive model
  // inputs (one input per hop once `contextFrames` frames exist).
  int windowFrames;
  // Seconds between reported windows the card's false-alarm target assumes (0 = every window).
  float reportingCadenceS;
  Thresholds thresholds;
  const char* modelSha256;  // hex of the .tflite the header was generated for
  uint32_t modelBytes;
  uint32_t arenaBytes;
  const char* modelName;
};

}  // namespace sc
