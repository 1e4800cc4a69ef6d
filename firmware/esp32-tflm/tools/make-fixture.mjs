// Writes the firmware's self-made test model: a 320→8→320 int8 FULLY_CONNECTED autoencoder
// (per-channel then per-tensor weights), its card.json and input/output vectors.
// The vectors are computed here with an independent BigInt implementation of TFLite's reference
// arithmetic, so the C++ runner is checked against something it did not produce.
// Usage: node tools/make-fixture.mjs <outDir>   (deterministic; output is committed)
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';

const out = process.argv[2];
if (!out) {
  console.error('usage: make-fixture.mjs <outDir>');
  process.exit(2);
}
const FRONTEND = {
  sampleRate: 16000, frameLength: 1024, hop: 512, fftSize: 1024, window: 'hann', nMels: 64,
  fmin: 20, fmax: 8000, melScale: 'htk', logFloor: 1e-10, contextFrames: 5,
};
const D = FRONTEND.nMels * FRONTEND.contextFrames;
const H = 8;

let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const q = {
  in: { scale: 0.05, zp: 3 },
  h: { scale: 0.08, zp: -128 },
  out: { scale: 0.045, zp: -2 },
};
const w1Scales = Array.from({ length: H }, () => 0.004 + rand() * 0.004);
const w2Scale = 0.01;
const w1 = Int8Array.from({ length: H * D }, () => randInt(-127, 127));
const w2 = Int8Array.from({ length: D * H }, () => randInt(-127, 127));
const b1 = Int32Array.from({ length: H }, () => randInt(-3000, 3000));
const b2 = Int32Array.from({ length: D }, () => randInt(-500, 500));

// ---- TFLite reference arithmetic (BigInt, exact) ----
function quantizeMultiplier(m) {
  if (m === 0) return [0n, 0];
  let shift = Math.ceil(Math.log2(m));
  let frac = m / 2 ** shift;
  if (frac >= 1) { frac /= 2; shift += 1; }
  if (frac < 0.5) { frac *= 2; shift -= 1; }
  let qf = BigInt(Math.round(frac * 2 ** 31));
  if (qf === 2n ** 31n) { qf /= 2n; shift += 1; }
  if (shift < -31) return [0n, 0];
  return [qf, shift];
}
function srdhm(a, b) {
  if (a === b && a === -(2n ** 31n)) return 2n ** 31n - 1n;
  const ab = a * b;
  const nudge = ab >= 0n ? 2n ** 30n : 1n - 2n ** 30n;
  return (ab + nudge) / 2n ** 31n; // BigInt division truncates toward zero, like C
}
function rdbpot(x, e) {
  const mask = (1n << BigInt(e)) - 1n;
  const rem = x & mask;
  const thr = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> BigInt(e)) + (rem > thr ? 1n : 0n);
}
function mbqm(x, m, shift) {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  let xs = x * 2n ** BigInt(left);
  xs = BigInt.asIntN(32, xs);
  return rdbpot(srdhm(xs, m), right);
}
function fc(x, w, b, inQ, wScales, outQ, outDepth, inDepth, relu) {
  const y = new Int8Array(outDepth);
  for (let c = 0; c < outDepth; c++) {
    let acc = 0n;
    for (let k = 0; k < inDepth; k++) acc += BigInt(x[k] - inQ.zp) * BigInt(w[c * inDepth + k]);
    acc += BigInt(b[c]);
    const [m, s] = quantizeMultiplier((Math.fround(inQ.scale) * Math.fround(wScales[wScales.length === 1 ? 0 : c])) / Math.fround(outQ.scale));
    let v = Number(mbqm(acc, m, s)) + outQ.zp;
    const lo = relu ? Math.max(-128, outQ.zp) : -128;
    v = Math.min(127, Math.max(lo, v));
    y[c] = v;
  }
  return y;
}
const runModel = (x) => fc(fc(x, w1, b1, q.in, w1Scales, q.h, H, D, true), w2, b2, q.h, [w2Scale], q.out, D, H, false);

// ---- flatbuffer writer (schema field ids from tflite schema.fbs) ----
const b = new Builder(4096);
function bytesVec(bytes) {
  b.startVector(1, bytes.length, 16);
  for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]);
  return b.endVector();
}
function intVec(arr) {
  b.startVector(4, arr.length, 4);
  for (let i = arr.length - 1; i >= 0; i--) b.addInt32(arr[i]);
  return b.endVector();
}
function floatVec(arr) {
  b.startVector(4, arr.length, 4);
  for (let i = arr.length - 1; i >= 0; i--) b.addFloat32(arr[i]);
  return b.endVector();
}
function longVec(arr) {
  b.startVector(8, arr.length, 8);
  for (let i = arr.length - 1; i >= 0; i--) b.addInt64(BigInt(arr[i]));
  return b.endVector();
}
function offVec(offs) {
  b.startVector(4, offs.length, 4);
  for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i]);
  return b.endVector();
}
function buffer(bytes) {
  const d = bytes ? bytesVec(bytes) : 0;
  b.startObject(3);
  if (d) b.addFieldOffset(0, d, 0);
  return b.endObject();
}
function quant(scales, zps, qdim = 0) {
  const s = floatVec(scales);
  const z = longVec(zps);
  b.startObject(7);
  b.addFieldOffset(2, s, 0);
  b.addFieldOffset(3, z, 0);
  b.addFieldInt32(6, qdim, 0);
  return b.endObject();
}
function tensor(name, shape, type, bufIdx, qp) {
  const n = b.createString(name);
  const sh = intVec(shape);
  b.startObject(11);
  b.addFieldOffset(0, sh, 0);
  b.addFieldInt8(1, type, 0);
  b.addFieldInt32(2, bufIdx, 0);
  b.addFieldOffset(3, n, 0);
  if (qp) b.addFieldOffset(4, qp, 0);
  return b.endObject();
}
function fcOp(ins, outs, act) {
  const i = intVec(ins);
  const o = intVec(outs);
  b.startObject(5);
  b.addFieldInt8(0, act, 0);
  const opts = b.endObject();
  b.startObject(14);
  b.addFieldInt32(0, 0, -1);
  b.addFieldOffset(1, i, 0);
  b.addFieldOffset(2, o, 0);
  b.addFieldInt8(3, 8, 0);
  b.addFieldOffset(4, opts, 0);
  return b.endObject();
}
const u8 = (ta) => new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);
const bufs = [buffer(null), buffer(u8(w1)), buffer(u8(b1)), buffer(u8(w2)), buffer(u8(b2))];
const INT8 = 9, INT32 = 2;
const tens = [
  tensor('input', [1, D], INT8, 0, quant([q.in.scale], [q.in.zp])),
  tensor('enc/w', [H, D], INT8, 1, quant(w1Scales, w1Scales.map(() => 0), 0)),
  tensor('enc/b', [H], INT32, 2, quant(w1Scales.map((s) => s * q.in.scale), w1Scales.map(() => 0))),
  tensor('hidden', [1, H], INT8, 0, quant([q.h.scale], [q.h.zp])),
  tensor('dec/w', [D, H], INT8, 3, quant([w2Scale], [0])),
  tensor('dec/b', [D], INT32, 4, quant([w2Scale * q.h.scale], [0])),
  tensor('output', [1, D], INT8, 0, quant([q.out.scale], [q.out.zp])),
];
const ops = [fcOp([0, 1, 2], [3], 1), fcOp([3, 4, 5], [6], 0)];
const sgName = b.createString('main');
const tv = offVec(tens), iv = intVec([0]), ov = intVec([6]), opv = offVec(ops);
b.startObject(6);
b.addFieldOffset(0, tv, 0);
b.addFieldOffset(1, iv, 0);
b.addFieldOffset(2, ov, 0);
b.addFieldOffset(3, opv, 0);
b.addFieldOffset(4, sgName, 0);
const sg = b.endObject();
b.startObject(4);
b.addFieldInt8(0, 9, 0);
b.addFieldInt32(2, 4, 1);
b.addFieldInt32(3, 9, 0);
const code = b.endObject();
const codes = offVec([code]), sgs = offVec([sg]), bufv = offVec(bufs);
const desc = b.createString('signalcraft firmware test fixture');
b.startObject(10);
b.addFieldInt32(0, 3, 0);
b.addFieldOffset(1, codes, 0);
b.addFieldOffset(2, sgs, 0);
b.addFieldOffset(3, desc, 0);
b.addFieldOffset(4, bufv, 0);
const model = b.endObject();
b.finish(model, 'TFL3');
const tflite = b.asUint8Array();

mkdirSync(join(out, 'vectors'), { recursive: true });
writeFileSync(join(out, 'model.tflite'), tflite);
const cases = [];
for (let c = 0; c < 4; c++) {
  const x = Int8Array.from({ length: D }, () => (c === 0 ? q.in.zp : randInt(-128, 127)));
  const y = runModel(x);
  writeFileSync(join(out, 'vectors', `case${c}.input.bin`), u8(x));
  writeFileSync(join(out, 'vectors', `case${c}.output.bin`), u8(y));
  cases.push({ name: `case${c}`, inputFile: `case${c}.input.bin`, outputFile: `case${c}.output.bin` });
}
writeFileSync(join(out, 'vectors', 'index.json'), `${JSON.stringify({ dtype: 'int8', inputShape: [1, D], outputShape: [1, D], tolerance: 1, cases }, null, 2)}\n`);

const bandMean = Array.from({ length: FRONTEND.nMels }, (_, i) => 8 - i * 0.25);
const bandStd = Array.from({ length: FRONTEND.nMels }, () => 6);
const card = {
  schema: 'signalcraft.card/1',
  name: 'fixture-tiny',
  frontend: FRONTEND,
  input: { shape: [1, D], dtype: 'int8', scale: q.in.scale, zeroPoint: q.in.zp },
  output: { shape: [1, D], dtype: 'int8', scale: q.out.scale, zeroPoint: q.out.zp },
  preprocess: { kind: 'band-standardize', levelNormalization: 'input-mean', contextFrames: FRONTEND.contextFrames, nMels: FRONTEND.nMels, bandMean, bandStd },
  score: {
    definition: 'mean over windowFrames consecutive inputs of mean((x - dequant(y))^2), x = standardised stacked log-mel input',
    windowFrames: 16,
    inputHopFrames: 1,
    aggregation: 'mean',
  },
  thresholds: { alert: 1.5, borderlineLow: 1.1, borderlineHigh: 1.5, targetFalseAlarmsPerWeek: 1, learnMin: 0.75, learnMax: 3 },
  ops: ['FULLY_CONNECTED'],
  flashBytes: tflite.length,
  arenaBytes: 2 * D + H,
  macs: D * H * 2,
  sha256: createHash('sha256').update(tflite).digest('hex'),
  metrics: { float: { auc: 0, pauc: 0 }, int8: { auc: 0, pauc: 0 } },
  training: { note: 'hand-made random weights for firmware tests; not trained' },
};
writeFileSync(join(out, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
console.log(`fixture written to ${out}: ${tflite.length} bytes, sha256 ${card.sha256}`);
