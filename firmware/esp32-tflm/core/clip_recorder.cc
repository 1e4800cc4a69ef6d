#include "clip_recorder.h"

#include <cstring>

namespace sc {

Status ClipRecorder::init(const ClipParams& p) {
  if (p.preSeconds < 0 || p.postSeconds < 0 || p.preSeconds + p.postSeconds <= 0 || p.preSeconds + p.postSeconds > 10)
    return Status::Error("clip length %.1f+%.1f s must be in (0, 10] (protocol limit)", p.preSeconds, p.postSeconds);
  if (p.maxPerDay < 1) return Status::Error("maxPerDay %d must be >= 1", p.maxPerDay);
  p_ = p;
  const size_t clipSamples = static_cast<size_t>((p.preSeconds + p.postSeconds) * p.sampleRate);
  // Room for the clip plus slack: the start is rounded down to a checkpoint, and poll() may run
  // up to one audio chunk (< 3 checkpoints) after the capture completed.
  const size_t checkpoints = (clipSamples + kCheckpointSamples - 1) / kCheckpointSamples + 4;
  ringSamples_ = checkpoints * kCheckpointSamples;
  ring_.assign(ringSamples_ / 2, 0);
  checkpoints_.assign(checkpoints, adpcm::State());
  dayLog_.assign(static_cast<size_t>(p.maxPerDay), 0);
  dayPos_ = 0;
  total_ = 0;
  armed_ = false;
  anyClip_ = false;
  rateLimited_ = 0;
  enc_ = adpcm::State();
  return Status::Ok();
}

void ClipRecorder::push(const int16_t* pcm, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const size_t pos = static_cast<size_t>(total_ % ringSamples_);
    if (total_ % kCheckpointSamples == 0) checkpoints_[pos / kCheckpointSamples] = enc_;
    const uint8_t code = adpcm::encodeSample(enc_, pcm[i]);
    uint8_t& b = ring_[pos / 2];
    b = (pos & 1) ? static_cast<uint8_t>((b & 0x0F) | (code << 4)) : code;
    ++total_;
  }
}

bool ClipRecorder::trigger(float score, uint64_t nowMs, bool priority) {
  if (armed_) {
    if (!priority) return false;
    endSample_ = total_ + static_cast<uint64_t>(p_.postSeconds * p_.sampleRate);
    if (score > armedScore_) armedScore_ = score;
    return true;
  }
  const uint64_t oldest = dayLog_[dayPos_];  // the maxPerDay-th most recent clip
  const bool dayFull = oldest != 0 && nowMs - oldest < 24ull * 3600 * 1000;
  if ((!priority && anyClip_ && nowMs - lastClipMs_ < p_.minIntervalMs) || dayFull) {
    ++rateLimited_;
    return false;
  }
  armed_ = true;
  armedScore_ = score;
  endSample_ = total_ + static_cast<uint64_t>(p_.postSeconds * p_.sampleRate);
  lastClipMs_ = nowMs;
  anyClip_ = true;
  dayLog_[dayPos_] = nowMs ? nowMs : 1;
  dayPos_ = (dayPos_ + 1) % dayLog_.size();
  return true;
}

bool ClipRecorder::poll(ReadyClip* clip) {
  if (!armed_ || total_ < endSample_) return false;
  armed_ = false;
  const uint64_t want = static_cast<uint64_t>((p_.preSeconds + p_.postSeconds) * p_.sampleRate);
  uint64_t start = endSample_ > want ? endSample_ - want : 0;
  start -= start % kCheckpointSamples;  // begin where the encoder state is known
  const uint64_t oldestKept = total_ > ringSamples_ ? total_ - ringSamples_ : 0;
  if (start < oldestKept) start = oldestKept + (kCheckpointSamples - oldestKept % kCheckpointSamples) % kCheckpointSamples;
  const uint64_t end = endSample_;
  if (end <= start) return false;
  const size_t n = static_cast<size_t>(end - start);
  adpcm::writeHeader(checkpoints_[(start % ringSamples_) / kCheckpointSamples], clip->header);
  // start is even, so the codes are whole ring bytes; an odd count leaves a high nibble that the
  // decoder ignores (it decodes exactly `samples`).
  const size_t firstByte = static_cast<size_t>(start % ringSamples_) / 2;
  const size_t total = (n + 1) / 2;
  const size_t tail = ring_.size() - firstByte;
  clip->part[0] = &ring_[firstByte];
  clip->partBytes[0] = total < tail ? total : tail;
  clip->part[1] = ring_.data();
  clip->partBytes[1] = total - clip->partBytes[0];
  clip->startSample = start;
  clip->samples = static_cast<uint32_t>(n);
  clip->edgeScore = armedScore_;
  return true;
}

}  // namespace sc
