#include "logmel.h"

#include <cmath>

namespace sc {
namespace {
double hzToMel(double f) { return 2595.0 * std::log10(1.0 + f / 700.0); }
double melToHz(double m) { return 700.0 * (std::pow(10.0, m / 2595.0) - 1.0); }
}  // namespace

Status LogMel::init(const FrontendParams& p) {
  if (p.frameLength <= 0 || p.frameLength > p.fftSize)
    return Status::Error("frameLength %d must be in 1..fftSize (%d)", p.frameLength, p.fftSize);
  if (p.hop <= 0) return Status::Error("hop %d must be positive", p.hop);
  if (p.nMels <= 0) return Status::Error("nMels %d must be positive", p.nMels);
  if (!(p.fmin >= 0 && p.fmax > p.fmin && p.fmax <= p.sampleRate / 2.0f))
    return Status::Error("mel range %g..%g Hz is invalid for %d Hz audio", p.fmin, p.fmax, p.sampleRate);
  Status s = fft_.init(p.fftSize);
  if (!s.ok) return s;
  p_ = p;
  window_.resize(p.frameLength);
  for (int n = 0; n < p.frameLength; ++n)
    window_[n] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * n / p.frameLength));
  frame_.assign(p.fftSize, 0.f);
  const int nBins = p.fftSize / 2 + 1;
  power_.assign(nBins, 0.f);

  // Band edges equally spaced in HTK mel; weights evaluated at bin centre frequencies. Stored
  // sparsely (only the non-zero run of each triangle): ~2 MACs per bin instead of nMels.
  std::vector<double> edges(p.nMels + 2);
  const double m0 = hzToMel(p.fmin), m1 = hzToMel(p.fmax);
  for (int i = 0; i < p.nMels + 2; ++i) edges[i] = melToHz(m0 + (m1 - m0) * i / (p.nMels + 1));
  bands_.clear();
  weights_.clear();
  for (int m = 0; m < p.nMels; ++m) {
    const double lo = edges[m], c = edges[m + 1], hi = edges[m + 2];
    MelBand b{-1, 0, static_cast<int>(weights_.size())};
    for (int k = 0; k < nBins; ++k) {
      const double f = static_cast<double>(k) * p.sampleRate / p.fftSize;
      const double w = std::fmax(0.0, std::fmin((f - lo) / (c - lo), (hi - f) / (hi - c)));
      if (w > 0) {
        if (b.firstBin < 0) b.firstBin = k;
        // Fill any zero gap so the run stays contiguous (cannot happen for a triangle).
        while (b.firstBin + b.count < k) {
          weights_.push_back(0.f);
          ++b.count;
        }
        weights_.push_back(static_cast<float>(w));
        ++b.count;
      }
    }
    if (b.firstBin < 0) b.firstBin = 0;
    bands_.push_back(b);
  }
  return Status::Ok();
}

void LogMel::compute(const float* frame, float* out) {
  for (int n = 0; n < p_.frameLength; ++n) frame_[n] = frame[n] * window_[n];
  for (int n = p_.frameLength; n < p_.fftSize; ++n) frame_[n] = 0.f;
  fft_.power(frame_.data(), power_.data());
  for (int m = 0; m < p_.nMels; ++m) {
    const MelBand& b = bands_[m];
    const float* w = &weights_[b.weightOffset];
    const float* pw = &power_[b.firstBin];
    double acc = 0;  // double: 64 bands × ~20 bins per frame, negligible cost, less rounding
    for (int i = 0; i < b.count; ++i) acc += static_cast<double>(w[i]) * pw[i];
    const double floored = acc > p_.logFloor ? acc : p_.logFloor;
    out[m] = static_cast<float>(10.0 * std::log10(floored));
  }
}

std::vector<float> LogMel::denseFilterbank() const {
  const int nBins = p_.fftSize / 2 + 1;
  std::vector<float> d(static_cast<size_t>(p_.nMels) * nBins, 0.f);
  for (int m = 0; m < p_.nMels; ++m)
    for (int i = 0; i < bands_[m].count; ++i)
      d[static_cast<size_t>(m) * nBins + bands_[m].firstBin + i] = weights_[bands_[m].weightOffset + i];
  return d;
}

size_t LogMel::memoryBytes() const {
  return (window_.capacity() + frame_.capacity() + power_.capacity() + weights_.capacity()) * sizeof(float) +
         bands_.capacity() * sizeof(MelBand) + fft_.memoryBytes();
}

Status LogMelStream::init(const FrontendParams& p) {
  Status s = lm_.init(p);
  if (!s.ok) return s;
  ring_.init(p.frameLength);
  frame_.assign(p.frameLength, 0.f);
  mel_.assign(p.nMels, 0.f);
  reset();
  return Status::Ok();
}

void LogMelStream::reset() {
  ring_.clear();
  total_ = 0;
  sinceLast_ = 0;
  dueIn_ = 1;
}

}  // namespace sc
