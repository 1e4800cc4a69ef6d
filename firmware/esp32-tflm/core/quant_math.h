// TFLite's reference fixed-point requantisation (double-rounding path, the default in TFLM and
// esp-tflite-micro): QuantizeMultiplier, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace sc::qmath {

inline void quantizeMultiplier(double m, int32_t* quantized, int* shift) {
  if (m == 0.0) {
    *quantized = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(m, shift);
  int64_t qFixed = static_cast<int64_t>(std::round(q * (1LL << 31)));
  if (qFixed == (1LL << 31)) {
    qFixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    qFixed = 0;
  }
  *quantized = static_cast<int32_t>(qFixed);
}

inline int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  const int32_t r = static_cast<int32_t>((ab + nudge) / (1LL << 31));  // truncates toward zero
  return overflow ? std::numeric_limits<int32_t>::max() : r;
}

inline int32_t roundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

inline int32_t multiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}

}  // namespace sc::qmath
