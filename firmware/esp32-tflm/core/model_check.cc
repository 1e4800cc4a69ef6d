#include "model_check.h"

#include <cmath>
#include <cstring>

#include "sha256.h"

namespace sc {
namespace {
bool sameScale(float a, float b) { return std::fabs(a - b) <= 1e-6f * std::fabs(b); }

Status checkTensor(const char* what, const TensorInfo& t, int dim, const QuantParams& q) {
  if (t.type != 9) return Status::Error("model %s type %d, header expects int8 (9)", what, t.type);
  if (t.elements() != dim || t.dims[0] != 1)
    return Status::Error("model %s has %d elements (dims[0]=%d), header expects [1,%d]", what, t.elements(), t.dims[0], dim);
  if (!sameScale(t.scale, q.scale) || t.zeroPoint != q.zeroPoint)
    return Status::Error("model %s quantisation %.9g/%d, header expects %.9g/%d", what, t.scale, t.zeroPoint, q.scale, q.zeroPoint);
  return Status::Ok();
}
}  // namespace

Status checkModelAgainstConfig(const uint8_t* model, size_t size, const ModelRunner& runner, const ModelConfig& cfg) {
  if (size != cfg.modelBytes) return Status::Error("model is %zu bytes, header (%s) expects %u", size, cfg.modelName, cfg.modelBytes);
  char hex[65];
  Sha256::hex(model, size, hex);
  if (std::strcmp(hex, cfg.modelSha256) != 0)
    return Status::Error("model sha256 %.12s… differs from header's %.12s…", hex, cfg.modelSha256);
  return checkTensorsAgainstConfig(runner, cfg);
}

Status checkTensorsAgainstConfig(const ModelRunner& runner, const ModelConfig& cfg) {
  Status s = checkTensor("input", runner.inputInfo(), cfg.inputDim, cfg.input);
  if (!s.ok) return s;
  return checkTensor("output", runner.outputInfo(), cfg.outputDim, cfg.output);
}

}  // namespace sc
