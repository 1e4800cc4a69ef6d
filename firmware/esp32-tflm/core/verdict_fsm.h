// The verdict state machine: turns window scores into learning/normal/watch/alarm.
//  - A median of the last 5 raw scores, then an EMA: an isolated spike (<= 2 windows, any size)
//    never reaches the thresholds.
//  - Entering watch/alarm needs N consecutive smoothed windows over the band; leaving needs M
//    consecutive windows under threshold × hysteresis (minimum durations both ways).
//  - Baseline learning after installation: for `learningWindows` windows the device reports
//    "learning" and builds a histogram of its own smoothed scores; the alert threshold becomes
//    quantile × margin, clamped to the card's [learnMinAlert, learnMaxAlert]; the borderline band
//    scales with it. A clearly broken machine (over learnMaxAlert) still alarms while learning.
#pragma once
#include <cstdint>

#include "model_config_types.h"

namespace sc {

enum class DeviceState : uint8_t { Learning = 0, Normal = 1, Watch = 2, Alarm = 3 };
const char* stateName(DeviceState s);

struct VerdictParams {
  float emaAlpha = 0.3f;
  int watchEnterWindows = 3;
  int alarmEnterWindows = 5;
  int clearWindows = 10;
  float hysteresis = 0.85f;
  int learningWindows = 3600;  // ~30 min at 0.5 s windows; 0 = use the card thresholds at once
  float learnQuantile = 0.995f;
  float learnMargin = 1.3f;
};

struct Verdict {
  DeviceState state;
  float smoothed;
  float alert;          // threshold in effect
  float borderlineLow;  // lower edge of the borderline band in effect
  bool changed;         // state differs from the previous window
};

// What must survive a reboot (NVS on the device, a file on the host).
struct BaselineRecord {
  uint32_t magic = 0x53424c31;  // "SBL1"
  uint32_t windowsSeen = 0;
  float alert = 0;
  float borderlineLow = 0;
  uint8_t learned = 0;
  // First 8 hex digits of the model's sha256: a baseline learned with another model is ignored.
  uint32_t modelTag = 0;
};

uint32_t modelTag(const char* sha256Hex);

class VerdictFsm {
 public:
  void init(const Thresholds& card, const VerdictParams& p);
  Verdict step(float score);
  DeviceState state() const { return state_; }
  float alert() const { return alert_; }
  float borderlineLow() const { return borderlineLow_; }
  bool learned() const { return learned_; }
  BaselineRecord baseline() const;
  // false (ignored) if the record is invalid, out of the card's bounds or from another model
  bool restore(const BaselineRecord& r, uint32_t modelTag);
  void setModelTag(uint32_t t) { modelTag_ = t; }

  static constexpr int kHistBins = 256;

 private:
  float median5() const;
  void finishLearning();

  Thresholds card_{};
  VerdictParams p_{};
  DeviceState state_ = DeviceState::Learning;
  float alert_ = 0, borderlineLow_ = 0;
  bool learned_ = false;
  uint32_t windowsSeen_ = 0;
  float recent_[5] = {0, 0, 0, 0, 0};
  int recentCount_ = 0;
  float ema_ = 0;
  bool emaInit_ = false;
  int overWatch_ = 0, overAlarm_ = 0, under_ = 0;
  uint32_t hist_[kHistBins] = {0};
  float histLo_ = 0, histHi_ = 0;
  uint32_t modelTag_ = 0;
};

}  // namespace sc
