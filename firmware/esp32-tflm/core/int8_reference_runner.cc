#include "int8_reference_runner.h"

#include <algorithm>
#include <cmath>

#include "quant_math.h"

namespace sc {
namespace {
constexpr int kFullyConnected = 9;
constexpr int kInt8 = 9;
constexpr int kInt32 = 2;
constexpr uint8_t kFullyConnectedOptions = 8;
constexpr int kActNone = 0, kActRelu = 1, kActRelu6 = 3;
}  // namespace

Status Int8ReferenceRunner::load(const uint8_t* model, size_t size) {
  fb::Buffer buf(model, size);
  if (size < 8 || std::memcmp(model + 4, "TFL3", 4) != 0) return Status::Error("model is not a TFLite file (no TFL3 identifier)");
  fb::Table m = fb::root(buf);
  if (!m.valid()) return Status::Error("model root table is corrupt");
  const uint32_t version = m.scalar<uint32_t>(0, 0);
  if (version != 3) return Status::Error("model schema version %u, expected 3", version);

  fb::Vector codes = m.vector(1, 4), subgraphs = m.vector(2, 4), buffers = m.vector(4, 4);
  if (!codes.valid || !subgraphs.valid || subgraphs.length != 1 || !buffers.valid)
    return Status::Error("model must have operator codes, buffers and exactly one subgraph");
  fb::Table sg = m.tableAt(subgraphs, 0);
  fb::Vector tensors = sg.vector(0, 4), inputs = sg.vector(1, 4), outputs = sg.vector(2, 4), operators = sg.vector(3, 4);
  if (!tensors.valid || !inputs.valid || inputs.length != 1 || !outputs.valid || outputs.length != 1 || !operators.valid)
    return Status::Error("subgraph must have one input, one output and a list of operators");

  const uint32_t nT = tensors.length;
  info_.assign(nT, TensorInfo());
  scales_.assign(nT, {});
  constData_.assign(nT, nullptr);
  act_.assign(nT, {});
  std::vector<size_t> constBytes(nT, 0);
  for (uint32_t t = 0; t < nT; ++t) {
    fb::Table tt = sg.tableAt(tensors, t);
    if (!tt.valid()) return Status::Error("tensor %u is corrupt", t);
    fb::Vector shape = tt.vector(0, 4);
    TensorInfo& ti = info_[t];
    ti.rank = shape.valid ? static_cast<int>(shape.length) : 0;
    if (ti.rank > 4) return Status::Error("tensor %u has rank %d (max 4)", t, ti.rank);
    for (int d = 0; d < ti.rank; ++d) ti.dims[d] = tt.at<int32_t>(shape, d);
    ti.type = tt.scalar<int8_t>(1, 0);
    fb::Table q = tt.table(4);
    if (q.valid()) {
      fb::Vector sc = q.vector(2, 4), zp = q.vector(3, 8);
      if (sc.valid)
        for (uint32_t i = 0; i < sc.length; ++i) scales_[t].push_back(q.at<float>(sc, i));
      if (!scales_[t].empty()) ti.scale = scales_[t][0];
      if (zp.valid && zp.length) ti.zeroPoint = static_cast<int32_t>(q.at<int64_t>(zp, 0));
    }
    const uint32_t bi = tt.scalar<uint32_t>(2, 0);
    if (bi >= buffers.length) return Status::Error("tensor %u points to buffer %u of %u", t, bi, buffers.length);
    fb::Table bt = m.tableAt(buffers, bi);
    fb::Vector data = bt.valid() ? bt.vector(0, 1) : fb::Vector();
    if (data.valid && data.length > 0) {
      constData_[t] = model + data.start;
      constBytes[t] = data.length;
    }
  }
  inputTensor_ = sg.at<int32_t>(inputs, 0);
  outputTensor_ = sg.at<int32_t>(outputs, 0);
  if (inputTensor_ < 0 || inputTensor_ >= static_cast<int>(nT) || outputTensor_ < 0 || outputTensor_ >= static_cast<int>(nT))
    return Status::Error("subgraph input/output tensor index out of range");

  ops_.clear();
  for (uint32_t i = 0; i < operators.length; ++i) {
    fb::Table op = sg.tableAt(operators, i);
    const uint32_t ci = op.scalar<uint32_t>(0, 0);
    if (ci >= codes.length) return Status::Error("operator %u uses opcode %u of %u", i, ci, codes.length);
    fb::Table code = m.tableAt(codes, ci);
    const int builtin = std::max<int>(code.scalar<int32_t>(3, 0), code.scalar<int8_t>(0, 0));
    if (builtin != kFullyConnected) return Status::Error("operator %u is builtin op %d; this runner supports only FULLY_CONNECTED (9)", i, builtin);
    fb::Vector ins = op.vector(1, 4), outs = op.vector(2, 4);
    if (!ins.valid || ins.length < 2 || ins.length > 3 || !outs.valid || outs.length != 1)
      return Status::Error("FULLY_CONNECTED %u must have 2-3 inputs and 1 output", i);
    Op o{};
    o.in = op.at<int32_t>(ins, 0);
    o.weights = op.at<int32_t>(ins, 1);
    o.bias = ins.length == 3 ? op.at<int32_t>(ins, 2) : -1;
    o.out = op.at<int32_t>(outs, 0);
    for (int idx : {o.in, o.weights, o.out})
      if (idx < 0 || idx >= static_cast<int>(nT)) return Status::Error("operator %u tensor index %d out of range", i, idx);
    if (o.bias >= static_cast<int>(nT)) return Status::Error("operator %u bias index %d out of range", i, o.bias);
    int act = kActNone;
    const uint8_t optType = op.scalar<uint8_t>(3, 0);
    if (optType == kFullyConnectedOptions) {
      fb::Table opt = op.table(4);
      act = opt.scalar<int8_t>(0, 0);
      if (opt.scalar<int8_t>(1, 0) != 0) return Status::Error("operator %u uses shuffled weights; not supported", i);
    } else if (optType != 0) {
      return Status::Error("operator %u has options type %u, expected FullyConnectedOptions (8)", i, optType);
    }
    const TensorInfo &ti = info_[o.in], &tw = info_[o.weights], &to = info_[o.out];
    if (ti.type != kInt8 || tw.type != kInt8 || to.type != kInt8)
      return Status::Error("operator %u: input/weights/output types %d/%d/%d, expected int8 (9)", i, ti.type, tw.type, to.type);
    if (tw.rank != 2 || !constData_[o.weights]) return Status::Error("operator %u: weights must be a constant 2-D tensor", i);
    o.outDepth = tw.dims[0];
    o.inDepth = tw.dims[1];
    if (ti.elements() != o.inDepth || to.elements() != o.outDepth)
      return Status::Error("operator %u: input %d / output %d elements do not match weights [%d,%d]", i, ti.elements(), to.elements(), o.outDepth, o.inDepth);
    if (constBytes[o.weights] < static_cast<size_t>(o.inDepth) * o.outDepth) return Status::Error("operator %u: weights buffer too short", i);
    o.w = reinterpret_cast<const int8_t*>(constData_[o.weights]);
    o.b = nullptr;
    if (o.bias >= 0) {
      if (info_[o.bias].type != kInt32 || !constData_[o.bias] || constBytes[o.bias] < 4u * o.outDepth)
        return Status::Error("operator %u: bias must be a constant int32 tensor of %d", i, o.outDepth);
      o.b = reinterpret_cast<const int32_t*>(constData_[o.bias]);  // buffers are 16-byte aligned by the writer
    }
    const std::vector<float>& ws = scales_[o.weights];
    if (ws.empty() || !(ws.size() == 1 || static_cast<int>(ws.size()) == o.outDepth))
      return Status::Error("operator %u: %zu weight scales for %d channels", i, ws.size(), o.outDepth);
    if (!(ti.scale > 0 && to.scale > 0)) return Status::Error("operator %u: input/output tensors are not quantised", i);
    o.inputOffset = -ti.zeroPoint;
    o.outputOffset = to.zeroPoint;
    o.multiplier.resize(o.outDepth);
    o.shift.resize(o.outDepth);
    for (int c = 0; c < o.outDepth; ++c) {
      const double mult = static_cast<double>(ti.scale) * ws[ws.size() == 1 ? 0 : c] / to.scale;
      qmath::quantizeMultiplier(mult, &o.multiplier[c], &o.shift[c]);
    }
    // CalculateActivationRangeQuantized
    o.actMin = -128;
    o.actMax = 127;
    if (act == kActRelu) {
      o.actMin = std::max<int32_t>(-128, to.zeroPoint);
    } else if (act == kActRelu6) {
      o.actMin = std::max<int32_t>(-128, to.zeroPoint);
      o.actMax = std::min<int32_t>(127, to.zeroPoint + static_cast<int32_t>(std::round(6.f / to.scale)));
    } else if (act != kActNone) {
      return Status::Error("operator %u: fused activation %d not supported", i, act);
    }
    ops_.push_back(std::move(o));
  }
  if (ops_.empty()) return Status::Error("model has no operators");
  for (uint32_t t = 0; t < nT; ++t)
    if (!constData_[t]) act_[t].assign(std::max(info_[t].elements(), 1), 0);
  return Status::Ok();
}

Status Int8ReferenceRunner::invoke() {
  for (const Op& o : ops_) {
    const int8_t* x = act_[o.in].data();
    int8_t* y = act_[o.out].data();
    for (int c = 0; c < o.outDepth; ++c) {
      const int8_t* w = o.w + static_cast<size_t>(c) * o.inDepth;
      int32_t acc = 0;
      for (int k = 0; k < o.inDepth; ++k) acc += (static_cast<int32_t>(x[k]) + o.inputOffset) * w[k];
      if (o.b) {
        int32_t bias;
        std::memcpy(&bias, o.b + c, 4);
        acc += bias;
      }
      int32_t v = qmath::multiplyByQuantizedMultiplier(acc, o.multiplier[c], o.shift[c]) + o.outputOffset;
      y[c] = static_cast<int8_t>(std::min(std::max(v, o.actMin), o.actMax));
    }
  }
  return Status::Ok();
}

size_t Int8ReferenceRunner::arenaUsedBytes() const {
  size_t n = 0;
  for (const auto& a : act_) n += a.size();
  return n;
}

}  // namespace sc
