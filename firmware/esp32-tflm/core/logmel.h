// Log-mel front end, contract A (edge-model/src/frontend/config.ts is the reference): periodic Hann
// frame -> |rfft|^2 -> HTK-mel triangles of unit peak -> 10·log10(max(p, logFloor)).
// LogMel computes one frame; LogMelStream frames a live PCM stream (start 0, step hop, no
// padding) and gives the same frames as the batch definition. Neither allocates after init().
#pragma once
#include <cstdint>
#include <vector>

#include "model_config_types.h"
#include "real_fft.h"
#include "ring_buffer.h"
#include "status.h"

namespace sc {

struct MelBand {
  int firstBin;
  int count;
  int weightOffset;  // into LogMel::weights_
};

class LogMel {
 public:
  Status init(const FrontendParams& p);
  const FrontendParams& params() const { return p_; }
  // frame: frameLength samples in [-1, 1]; out: nMels dB values.
  void compute(const float* frame, float* out);
  // Dense [nMels][fftSize/2+1] filterbank, for tests.
  std::vector<float> denseFilterbank() const;
  // Heap bytes held (tables and work buffers), for the RAM budget.
  size_t memoryBytes() const;
  // Multiply-adds of the mel stage per frame (non-zero filter weights).
  size_t melMacs() const { return weights_.size(); }

 private:
  FrontendParams p_{};
  RealFft fft_;
  std::vector<float> window_, frame_, power_, weights_;
  std::vector<MelBand> bands_;
};

class LogMelStream {
 public:
  Status init(const FrontendParams& p);
  // Calls onFrame(const float* mel) for every completed frame, in order.
  template <typename F>
  void push(const float* pcm, size_t n, F&& onFrame) {
    for (size_t i = 0; i < n; ++i) {
      ring_.push(pcm[i]);
      ++total_;
      if (total_ >= static_cast<uint64_t>(lm_.params().frameLength) && ++sinceLast_ >= dueIn_) {
        ring_.copyLatest(frame_.data(), frame_.size());
        lm_.compute(frame_.data(), mel_.data());
        sinceLast_ = 0;
        dueIn_ = lm_.params().hop;
        onFrame(static_cast<const float*>(mel_.data()));
      }
    }
  }
  void reset();
  size_t memoryBytes() const { return lm_.memoryBytes() + (ring_.capacity() + frame_.capacity() + mel_.capacity()) * sizeof(float); }
  const LogMel& logMel() const { return lm_; }

 private:
  LogMel lm_;
  RingBuffer<float> ring_;
  std::vector<float> frame_, mel_;
  uint64_t total_ = 0;
  int sinceLast_ = 0;
  int dueIn_ = 1;  // the first frame is due as soon as frameLength samples exist
};

}  // namespace sc
