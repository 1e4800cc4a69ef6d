// The whole on-device decision path, platform-free: int16 PCM -> log-mel -> model -> window score
// -> verdict state machine -> verdict batches and borderline clips -> outbox (as protocol JSON).
// The ESP32 port feeds it from I2S; the host binary from a WAV file or stdin. The audio path
// (front end, model, scorer, state machine, clip ring) does not allocate after init(); encoding a
// message (once per batch or clip) does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "anomaly_scorer.h"
#include "clip_recorder.h"
#include "logmel.h"
#include "outbox.h"
#include "protocol.h"
#include "verdict_fsm.h"

namespace sc {

struct DeviceOptions {
  protocol::Identity identity;
  int batchWindows = 60;  // reported windows per verdict batch (1..120): the upload cadence
  // Report one window per this many scored windows (>= 1): the max score, the most severe state
  // and the mean level of the group. The state machine still sees every window; this only
  // thins what is stored and sent (card thresholds.reportingCadenceS / window length).
  int reportEvery = 1;
  VerdictParams verdict;
  ClipParams clip;
  bool clipsEnabled = true;
  // Field tuning / tests: capture clips for window scores in [low, high) instead of the
  // borderline band in effect. Unset when low >= high.
  float clipBandLow = 0, clipBandHigh = 0;
  // Keep per-window events for recentEvents() (host logging/tests). Off on the device: the list is
  // bounded (256) but nobody drains it there.
  bool keepEvents = false;
};

struct WindowEvent {
  uint64_t t;
  float score;
  Verdict verdict;
  float levelDb;
  bool clipArmed;
};

class DevicePipeline {
 public:
  Status init(const ModelConfig& cfg, ModelRunner* runner, Outbox* outbox, const DeviceOptions& o, uint64_t startMs);
  // Any chunk size. Returns the first outbox error (audio keeps flowing regardless).
  Status pushPcm(const int16_t* pcm, size_t n);
  // Enqueues the partial verdict batch (shutdown, or before a planned reboot).
  Status flush();
  uint32_t lastSeq() const { return seq_; }
  VerdictFsm& fsm() { return fsm_; }
  const std::vector<WindowEvent>& recentEvents() const { return events_; }  // since last clearEvents(), <= 256
  void clearEvents() { events_.clear(); }
  uint64_t samplesSeen() const { return samples_; }
  uint32_t windowsSeen() const { return windows_; }
  uint32_t windowsReported() const { return reported_; }
  struct Memory {
    size_t frontend, scorer, clipRing, fsm, batch, pcm;
    size_t total() const { return frontend + scorer + clipRing + fsm + batch + pcm; }
  };
  Memory memory() const {
    return {stream_.memoryBytes(), scorer_.memoryBytes(), clips_.memoryBytes(), sizeof(VerdictFsm),
            batch_.capacity() * sizeof(protocol::Window), pcmF_.capacity() * sizeof(float)};
  }

 private:
  void onFrame(const float* mel);
  Status enqueueBatch();
  uint64_t msAt(uint64_t sample) const { return startMs_ + sample * 1000 / static_cast<uint64_t>(cfg_->frontend.sampleRate); }

  const ModelConfig* cfg_ = nullptr;
  Outbox* outbox_ = nullptr;
  DeviceOptions opt_;
  LogMelStream stream_;
  AnomalyScorer scorer_;
  VerdictFsm fsm_;
  ClipRecorder clips_;
  std::vector<float> pcmF_;
  std::vector<protocol::Window> batch_;
  std::vector<WindowEvent> events_;
  uint64_t startMs_ = 0;
  uint64_t samples_ = 0;  // samples pushed so far
  uint64_t frameEndSample_ = 0;
  uint32_t seq_ = 0;
  uint32_t windows_ = 0;
  double levelSum_ = 0;
  int levelFrames_ = 0;
  int groupCount_ = 0;
  float groupMax_ = 0;
  double groupLevel_ = 0;
  DeviceState groupState_ = DeviceState::Learning;
  DeviceState lastState_ = DeviceState::Learning;  // the FSM's state at the previous window
  DeviceState reportedState_ = DeviceState::Learning;  // the state of the last reported window group
  uint32_t reported_ = 0;
  Status pending_;
};

}  // namespace sc
