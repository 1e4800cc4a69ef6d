#include "device_pipeline.h"

namespace sc {

Status DevicePipeline::init(const ModelConfig& cfg, ModelRunner* runner, Outbox* outbox, const DeviceOptions& o, uint64_t startMs) {
  if (!protocol::validDeviceId(o.identity.deviceId))
    return Status::Error("device id '%s' must be 1-64 of A-Z a-z 0-9 _ -", o.identity.deviceId.c_str());
  if (!protocol::validBootId(o.identity.bootId)) return Status::Error("boot id '%s' must be 8-32 hex", o.identity.bootId.c_str());
  if (o.reportEvery < 1) return Status::Error("reportEvery %d must be >= 1", o.reportEvery);
  if (o.batchWindows < 1 || o.batchWindows > protocol::kMaxWindowsPerBatch)
    return Status::Error("batchWindows %d must be 1..%d", o.batchWindows, protocol::kMaxWindowsPerBatch);
  cfg_ = &cfg;
  outbox_ = outbox;
  opt_ = o;
  startMs_ = startMs;
  Status s = stream_.init(cfg.frontend);
  if (!s.ok) return s;
  s = scorer_.init(cfg, runner);
  if (!s.ok) return s;
  fsm_.init(cfg.thresholds, o.verdict);
  fsm_.setModelTag(modelTag(cfg.modelSha256));
  ClipParams cp = o.clip;
  cp.sampleRate = cfg.frontend.sampleRate;
  s = clips_.init(cp);
  if (!s.ok) return s;
  pcmF_.assign(512, 0.f);
  batch_.clear();
  batch_.reserve(static_cast<size_t>(o.batchWindows));
  events_.clear();
  if (o.keepEvents) events_.reserve(256);
  return Status::Ok();
}

Status DevicePipeline::pushPcm(const int16_t* pcm, size_t n) {
  pending_ = Status::Ok();
  while (n > 0) {
    const size_t k = n < pcmF_.size() ? n : pcmF_.size();
    for (size_t i = 0; i < k; ++i) pcmF_[i] = pcm[i] / 32768.f;
    if (opt_.clipsEnabled) clips_.push(pcm, k);
    for (size_t i = 0; i < k; ++i) {
      ++samples_;
      // Frames complete one sample at a time inside the stream; remember where this one ends.
      frameEndSample_ = samples_;
      stream_.push(&pcmF_[i], 1, [this](const float* mel) { onFrame(mel); });
    }
    if (opt_.clipsEnabled) {
      ReadyClip c;
      if (clips_.poll(&c)) {
        const uint8_t* parts[3] = {c.header, c.part[0], c.part[1]};
        const size_t sizes[3] = {4, c.partBytes[0], c.partBytes[1]};
        const std::string msg =
            protocol::clipUpload(opt_.identity, seq_ + 1, msAt(c.startSample), c.edgeScore, "ima-adpcm", c.samples, parts, sizes, 3);
        // The seq is spent even if storing fails: the gap tells the cloud something was lost.
        ++seq_;
        Status s = outbox_->push(OutboxKind::Clip, msg);
        if (!s.ok && pending_.ok) pending_ = s;
      }
    }
    pcm += k;
    n -= k;
  }
  return pending_;
}

void DevicePipeline::onFrame(const float* mel) {
  double m = 0;
  for (int i = 0; i < cfg_->frontend.nMels; ++i) m += mel[i];
  levelSum_ += m / cfg_->frontend.nMels;
  ++levelFrames_;
  float score;
  if (!scorer_.pushFrame(mel, &score)) return;
  ++windows_;
  const Verdict v = fsm_.step(score);
  const float level = levelFrames_ ? static_cast<float>(levelSum_ / levelFrames_) : 0.f;
  levelSum_ = 0;
  levelFrames_ = 0;
  const uint64_t t = msAt(frameEndSample_);
  bool armed = false;
  // Borderline band in effect (learned thresholds once learning is done).
  const bool overridden = opt_.clipBandLow < opt_.clipBandHigh;
  const float lo = overridden ? opt_.clipBandLow : v.borderlineLow, hi = overridden ? opt_.clipBandHigh : v.alert;
  // Entering alarm also captures a clip, past the minimum interval (a borderline clip seconds
  // earlier must not keep the alarm's own sound from the cloud), within the daily limit, so the
  // cloud confirms each edge alarm and names the likely fault.
  const bool enteringAlarm = v.state == DeviceState::Alarm && lastState_ != DeviceState::Alarm;
  lastState_ = v.state;
  if (opt_.clipsEnabled && (enteringAlarm || (score >= lo && score < hi))) armed = clips_.trigger(score, t, enteringAlarm);
  if (opt_.keepEvents && events_.size() < 256) events_.push_back({t, score, v, level, armed});
  // Severity order: alarm > watch > normal > learning.
  auto severity = [](DeviceState s) { return s == DeviceState::Alarm ? 3 : s == DeviceState::Watch ? 2 : s == DeviceState::Normal ? 1 : 0; };
  if (groupCount_ == 0 || score > groupMax_) groupMax_ = score;
  if (groupCount_ == 0 || severity(v.state) > severity(groupState_)) groupState_ = v.state;
  groupLevel_ += level;
  if (++groupCount_ < opt_.reportEvery) return;
  batch_.push_back({t, groupMax_, stateName(groupState_), static_cast<float>(groupLevel_ / groupCount_)});
  ++reported_;
  groupCount_ = 0;
  groupLevel_ = 0;
  // A change of verdict is sent at once rather than at the end of the batch, so an alarm reaches
  // the cloud within one reporting group (and before the clip it triggered).
  const bool verdictChanged = groupState_ != reportedState_;
  reportedState_ = groupState_;
  if (verdictChanged || static_cast<int>(batch_.size()) >= opt_.batchWindows) {
    Status s = enqueueBatch();
    if (!s.ok && pending_.ok) pending_ = s;
  }
}

Status DevicePipeline::enqueueBatch() {
  if (batch_.empty()) return Status::Ok();
  const std::string rec = protocol::compactBatch(opt_.identity, seq_ + 1, cfg_->modelSha256, batch_.data(), batch_.size());
  batch_.clear();
  ++seq_;  // spent even if storing fails, so the loss shows as a gap
  return outbox_->push(OutboxKind::CompactVerdicts, rec);
}

Status DevicePipeline::flush() { return enqueueBatch(); }

}  // namespace sc
