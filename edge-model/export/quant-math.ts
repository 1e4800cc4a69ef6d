/**
 * TFLite's integer requantisation arithmetic, bit-exact with the reference kernels TFLM and
 * esp-tflite-micro compile (double rounding: TFLITE_SINGLE_ROUNDING is not defined there).
 * Products are taken in BigInt because an int32×int32 product needs 62 bits, beyond a double's 53.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_POW_31 = 2147483648;

/** frexp: value = q · 2^exp with q in [0.5, 1) (or 0). */
export function frexp(value: number): [number, number] {
  if (value === 0 || !Number.isFinite(value)) return [value, 0];
  const abs = Math.abs(value);
  let exp = Math.ceil(Math.log2(abs)) + 0; // + 0 turns -0 into 0
  let q = abs / 2 ** exp;
  // log2 is not exact near powers of two; nudge into [0.5, 1).
  while (q >= 1) {
    q /= 2;
    exp++;
  }
  while (q < 0.5) {
    q *= 2;
    exp--;
  }
  return [Math.sign(value) * q, exp];
}

/** QuantizeMultiplier (quantization_util.cc): a real multiplier as (int32 q_fixed, shift). */
export function quantizeMultiplier(realMultiplier: number): { multiplier: number; shift: number } {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const [q, exp] = frexp(realMultiplier);
  let shift = exp;
  // std::round: half away from zero.
  let qFixed = Math.sign(q) * Math.round(Math.abs(q) * TWO_POW_31);
  if (qFixed === TWO_POW_31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul, exact in doubles: a·b needs 62 bits, so b is split
 * into 16-bit halves and the division by 2^31 is carried out on the parts (BigInt gives the same
 * result ~20× slower; the tests cross-check the two).
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bl = b & 0xffff;
  const bh = (b - bl) / 65536;
  const p = a * bh; // exact: |p| < 2^47
  const q = a * bl; // exact: |q| < 2^47
  const nudge = a * b >= 0 ? 1073741824 : -1073741823; // the sign of a double product is exact
  const ph = Math.floor(p / 32768);
  const pl = p - ph * 32768;
  const r = pl * 65536 + q + nudge; // exact: |r| < 2^48
  const rh = Math.floor(r / TWO_POW_31);
  const f = ph + rh; // floor((a·b + nudge) / 2^31)
  const rem = r - rh * TWO_POW_31;
  // C division truncates toward zero.
  return f < 0 && rem !== 0 ? f + 1 : f;
}

/** The same with BigInt, kept as the obviously-correct cross-check. */
export function saturatingRoundingDoublingHighMulBigInt(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n));
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? INT32_MAX : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** MultiplyByQuantizedMultiplier, double-rounding variant (common.cc). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = Math.max(shift, 0);
  const right = shift > 0 ? 0 : -shift;
  // int32 multiply in C (wraps); Math.imul reproduces that.
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(Math.imul(x, 2 ** left), multiplier), right);
}

/** TFLM's Quantize for activation bounds: zp + round(f / scale) (half away from zero). */
export function quantizeValue(f: number, scale: number, zeroPoint: number): number {
  const v = f / scale;
  return zeroPoint + Math.sign(v) * Math.round(Math.abs(v));
}

/** CalculateActivationRangeQuantized for int8 outputs. */
export function activationRangeInt8(
  activation: 'NONE' | 'RELU' | 'RELU6' | 'RELU_N1_TO_1',
  scale: number,
  zeroPoint: number,
): [number, number] {
  const qmin = -128;
  const qmax = 127;
  switch (activation) {
    case 'NONE':
      return [qmin, qmax];
    case 'RELU':
      return [Math.max(qmin, quantizeValue(0, scale, zeroPoint)), qmax];
    case 'RELU6':
      return [Math.max(qmin, quantizeValue(0, scale, zeroPoint)), Math.min(qmax, quantizeValue(6, scale, zeroPoint))];
    case 'RELU_N1_TO_1':
      return [Math.max(qmin, quantizeValue(-1, scale, zeroPoint)), Math.min(qmax, quantizeValue(1, scale, zeroPoint))];
  }
}
