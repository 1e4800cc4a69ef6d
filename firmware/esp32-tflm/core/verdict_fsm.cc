#include "verdict_fsm.h"

#include <algorithm>
#include <cmath>

namespace sc {

const char* stateName(DeviceState s) {
  switch (s) {
    case DeviceState::Learning: return "learning";
    case DeviceState::Normal: return "normal";
    case DeviceState::Watch: return "watch";
    case DeviceState::Alarm: return "alarm";
  }
  return "normal";
}

void VerdictFsm::init(const Thresholds& card, const VerdictParams& p) {
  card_ = card;
  p_ = p;
  alert_ = card.alert;
  borderlineLow_ = card.borderlineLow;
  windowsSeen_ = 0;
  recentCount_ = 0;
  emaInit_ = false;
  overWatch_ = overAlarm_ = under_ = 0;
  std::fill(hist_, hist_ + kHistBins, 0u);
  // Log-spaced histogram covering 1/100 .. 10 × the card's alert threshold.
  histLo_ = std::log(card.alert * 0.01f);
  histHi_ = std::log(card.alert * 10.f);
  learned_ = p.learningWindows <= 0;
  state_ = learned_ ? DeviceState::Normal : DeviceState::Learning;
}

uint32_t modelTag(const char* sha) {
  uint32_t v = 0;
  for (int i = 0; i < 8 && sha[i]; ++i) {
    const char c = sha[i];
    v = (v << 4) | static_cast<uint32_t>(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
  }
  return v;
}

BaselineRecord VerdictFsm::baseline() const {
  BaselineRecord r;
  r.modelTag = modelTag_;
  r.windowsSeen = windowsSeen_;
  r.alert = alert_;
  r.borderlineLow = borderlineLow_;
  r.learned = learned_ ? 1 : 0;
  return r;
}

bool VerdictFsm::restore(const BaselineRecord& r, uint32_t tag) {
  if (r.magic != BaselineRecord().magic || !r.learned || r.modelTag != tag) return false;
  if (!(r.alert >= card_.learnMinAlert && r.alert <= card_.learnMaxAlert) || !(r.borderlineLow > 0 && r.borderlineLow <= r.alert))
    return false;  // out of the card's bounds (e.g. a new model): learn again
  alert_ = r.alert;
  borderlineLow_ = r.borderlineLow;
  learned_ = true;
  windowsSeen_ = r.windowsSeen;
  if (state_ == DeviceState::Learning) state_ = DeviceState::Normal;
  return true;
}

float VerdictFsm::median5() const {
  float v[5];
  const int n = recentCount_ < 5 ? recentCount_ : 5;
  std::copy(recent_, recent_ + n, v);
  std::sort(v, v + n);
  return v[n / 2];
}

void VerdictFsm::finishLearning() {
  uint64_t total = 0;
  for (uint32_t c : hist_) total += c;
  float q = card_.alert;
  if (total > 0) {
    const uint64_t target = static_cast<uint64_t>(std::ceil(p_.learnQuantile * total));
    uint64_t cum = 0;
    for (int b = 0; b < kHistBins; ++b) {
      cum += hist_[b];
      if (cum >= target) {
        q = std::exp(histLo_ + (histHi_ - histLo_) * (b + 1) / kHistBins);  // upper bin edge
        break;
      }
    }
  }
  const float learnedAlert = std::min(std::max(q * p_.learnMargin, card_.learnMinAlert), card_.learnMaxAlert);
  // The band keeps the card's proportion to the alert threshold but always starts above this
  // machine's own normal (q), so a loud-but-healthy machine does not sit in "watch".
  borderlineLow_ = std::min(learnedAlert, std::max(learnedAlert * (card_.borderlineLow / card_.alert), q * 1.1f));
  alert_ = learnedAlert;
  learned_ = true;
}

Verdict VerdictFsm::step(float score) {
  if (!std::isfinite(score) || score < 0) score = 0;  // a broken window must not poison the filters
  recent_[recentCount_ % 5] = score;
  ++recentCount_;
  if (recentCount_ >= 10) recentCount_ = 5 + recentCount_ % 5;  // keep the index bounded, >= 5 means full
  const float med = median5();
  ema_ = emaInit_ ? p_.emaAlpha * med + (1 - p_.emaAlpha) * ema_ : med;
  emaInit_ = true;
  const DeviceState before = state_;
  ++windowsSeen_;

  if (!learned_) {
    const float l = std::log(std::max(ema_, 1e-30f));
    int b = static_cast<int>((l - histLo_) / (histHi_ - histLo_) * kHistBins);
    hist_[std::min(std::max(b, 0), kHistBins - 1)]++;
    // A machine that is clearly broken at installation must not be learned as "normal".
    overAlarm_ = ema_ >= card_.learnMaxAlert ? overAlarm_ + 1 : 0;
    if (overAlarm_ >= p_.alarmEnterWindows) state_ = DeviceState::Alarm;
    else if (state_ == DeviceState::Alarm && ema_ < card_.learnMaxAlert * p_.hysteresis) state_ = DeviceState::Learning;
    if (windowsSeen_ >= static_cast<uint32_t>(p_.learningWindows)) {
      finishLearning();
      overAlarm_ = overWatch_ = under_ = 0;
      if (state_ == DeviceState::Learning) state_ = DeviceState::Normal;
    }
    return {state_, ema_, alert_, borderlineLow_, state_ != before};
  }

  overAlarm_ = ema_ >= alert_ ? overAlarm_ + 1 : 0;
  overWatch_ = ema_ >= borderlineLow_ ? overWatch_ + 1 : 0;
  switch (state_) {
    case DeviceState::Learning:
    case DeviceState::Normal:
      if (overAlarm_ >= p_.alarmEnterWindows) state_ = DeviceState::Alarm;
      else if (overWatch_ >= p_.watchEnterWindows) state_ = DeviceState::Watch;
      break;
    case DeviceState::Watch:
      under_ = ema_ < borderlineLow_ * p_.hysteresis ? under_ + 1 : 0;
      if (overAlarm_ >= p_.alarmEnterWindows) state_ = DeviceState::Alarm;
      else if (under_ >= p_.clearWindows) state_ = DeviceState::Normal;
      break;
    case DeviceState::Alarm:
      under_ = ema_ < alert_ * p_.hysteresis ? under_ + 1 : 0;
      if (under_ >= p_.clearWindows) state_ = DeviceState::Watch;
      break;
  }
  if (state_ != before) under_ = 0;
  return {state_, ema_, alert_, borderlineLow_, state_ != before};
}

}  // namespace sc
