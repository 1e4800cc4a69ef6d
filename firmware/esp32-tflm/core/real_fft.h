// Radix-2 real FFT (N real samples -> N/2+1 bins) computed as one N/2-point complex FFT plus a
// split step. Tables are built once in init(); transform() allocates nothing. On the ESP32 the
// port may swap in esp-dsp behind the same power-spectrum call (see logmel.h).
#pragma once
#include <cstddef>
#include <vector>

#include "status.h"

namespace sc {

class RealFft {
 public:
  Status init(int n);
  int size() const { return n_; }
  // in: n real samples. out: power |X_k|^2 for k = 0..n/2 (no normalisation).
  void power(const float* in, float* out);
  size_t memoryBytes() const {
    return bitrev_.capacity() * sizeof(int) +
           (cos_.capacity() + sin_.capacity() + splitCos_.capacity() + splitSin_.capacity() + re_.capacity() + im_.capacity()) * sizeof(float);
  }

 private:
  int n_ = 0;
  int m_ = 0;  // n/2, size of the complex FFT
  std::vector<int> bitrev_;
  std::vector<float> cos_, sin_;          // twiddles of the M-point FFT
  std::vector<float> splitCos_, splitSin_;  // e^{-2πik/N}, k = 0..M
  std::vector<float> re_, im_;            // work buffers
};

}  // namespace sc
