// Borderline clips: the last few seconds of audio are kept continuously IMA-ADPCM encoded in a
// ring (4 bits/sample: 8 s = 64 KB instead of 256 KB of pcm16), with an encoder-state checkpoint
// every kCheckpointSamples. When a window's score falls in the borderline band, trigger() arms
// a capture; once `post` seconds more audio arrived, the clip (pre + post seconds, starting at a
// checkpoint) is ready, already in the protocol's ima-adpcm layout. Rate-limited: a minimum
// interval between clips and at most maxPerDay. No allocation after init().
#pragma once
#include <cstdint>
#include <vector>

#include "ima_adpcm.h"
#include "status.h"

namespace sc {

struct ClipParams {
  int sampleRate = 16000;
  float preSeconds = 4.f;
  float postSeconds = 2.f;
  uint32_t minIntervalMs = 15 * 60 * 1000;
  int maxPerDay = 24;
};

// The clip's ima-adpcm bytes are header + part[0] + part[1]: the parts point into the ring (no
// copy; valid until the next push), split where the ring wraps.
struct ReadyClip {
  uint64_t startSample;  // stream sample index of the first sample
  uint32_t samples;
  float edgeScore;
  uint8_t header[4];
  const uint8_t* part[2];
  size_t partBytes[2];
  size_t bytes() const { return 4 + partBytes[0] + partBytes[1]; }
};

class ClipRecorder {
 public:
  static constexpr int kCheckpointSamples = 512;  // even, so every clip starts byte-aligned
  Status init(const ClipParams& p);
  void push(const int16_t* pcm, size_t n);
  // Returns false when rate-limited or a capture is already armed. A `priority` trigger (the
  // device entering alarm) skips the minimum interval (not the daily limit), and while a capture
  // is armed it moves that capture's end to postSeconds after now instead of being dropped, so
  // the cloud always hears the alarm itself, not only the borderline moments before it.
  bool trigger(float score, uint64_t nowMs, bool priority = false);
  // True once an armed capture is complete; fills *clip and disarms.
  bool poll(ReadyClip* clip);
  uint64_t samplesSeen() const { return total_; }
  size_t memoryBytes() const { return ring_.capacity() + checkpoints_.capacity() * sizeof(adpcm::State) + dayLog_.capacity() * 8; }
  uint32_t rateLimited() const { return rateLimited_; }

 private:
  ClipParams p_{};
  std::vector<uint8_t> ring_;  // 2 samples per byte
  size_t ringSamples_ = 0;
  std::vector<adpcm::State> checkpoints_;  // state before sample k*kCheckpointSamples (mod ring)
  adpcm::State enc_;
  uint64_t total_ = 0;
  bool armed_ = false;
  uint64_t endSample_ = 0;
  float armedScore_ = 0;
  uint64_t lastClipMs_ = 0;
  bool anyClip_ = false;
  std::vector<uint64_t> dayLog_;  // trigger times in the last 24 h (ring of maxPerDay)
  size_t dayPos_ = 0;
  uint32_t rateLimited_ = 0;
};

}  // namespace sc
