#include "real_fft.h"

#include <cmath>

namespace sc {

Status RealFft::init(int n) {
  if (n < 4 || (n & (n - 1)) != 0) return Status::Error("FFT size %d is not a power of two >= 4", n);
  n_ = n;
  m_ = n / 2;
  int bits = 0;
  while ((1 << bits) < m_) ++bits;
  bitrev_.assign(m_, 0);
  for (int i = 0; i < m_; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b)
      if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    bitrev_[i] = r;
  }
  // Twiddles in double, stored in float: keeps table error at float epsilon.
  cos_.resize(m_ / 2 > 0 ? m_ / 2 : 1);
  sin_.resize(cos_.size());
  for (int k = 0; k < m_ / 2; ++k) {
    const double a = -2.0 * M_PI * k / m_;
    cos_[k] = static_cast<float>(std::cos(a));
    sin_[k] = static_cast<float>(std::sin(a));
  }
  splitCos_.resize(m_ + 1);
  splitSin_.resize(m_ + 1);
  for (int k = 0; k <= m_; ++k) {
    const double a = -2.0 * M_PI * k / n_;
    splitCos_[k] = static_cast<float>(std::cos(a));
    splitSin_[k] = static_cast<float>(std::sin(a));
  }
  re_.assign(m_, 0.f);
  im_.assign(m_, 0.f);
  return Status::Ok();
}

void RealFft::power(const float* in, float* out) {
  // Pack even samples as real, odd as imaginary, in bit-reversed order.
  for (int k = 0; k < m_; ++k) {
    const int r = bitrev_[k];
    re_[r] = in[2 * k];
    im_[r] = in[2 * k + 1];
  }
  for (int len = 2; len <= m_; len <<= 1) {
    const int half = len / 2;
    const int step = m_ / len;
    for (int start = 0; start < m_; start += len) {
      for (int j = 0; j < half; ++j) {
        const float wr = cos_[j * step], wi = sin_[j * step];
        const int a = start + j, b = a + half;
        const float tr = re_[b] * wr - im_[b] * wi;
        const float ti = re_[b] * wi + im_[b] * wr;
        re_[b] = re_[a] - tr;
        im_[b] = im_[a] - ti;
        re_[a] += tr;
        im_[a] += ti;
      }
    }
  }
  // Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[M-k]) / 2, O = (Z[k] - conj Z[M-k]) / 2i.
  for (int k = 0; k <= m_; ++k) {
    const int a = k % m_;
    const int b = (m_ - k) % m_;
    const float zr = re_[a], zi = im_[a];
    const float cr = re_[b], ci = -im_[b];
    const float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
    // (z - c) / 2i = (di, -dr)/2 with d = z - c
    const float dr = zr - cr, di = zi - ci;
    const float or_ = 0.5f * di, oi = -0.5f * dr;
    const float wr = splitCos_[k], wi = splitSin_[k];
    const float xr = er + or_ * wr - oi * wi;
    const float xi = ei + or_ * wi + oi * wr;
    out[k] = xr * xr + xi * xi;
  }
}

}  // namespace sc
