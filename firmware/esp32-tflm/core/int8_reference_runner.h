// Host model runner: reads the .tflite flatbuffer itself and evaluates the exporter's op set
// (a chain of int8 FULLY_CONNECTED ops, fused NONE/RELU/RELU6, per-tensor or per-channel weights)
// with TFLite's reference integer arithmetic, so its outputs match TFLM within ±1.
#pragma once
#include <vector>

#include "flatbuffer_view.h"
#include "model_runner.h"

namespace sc {

class Int8ReferenceRunner : public ModelRunner {
 public:
  Status load(const uint8_t* model, size_t size) override;
  TensorInfo inputInfo() const override { return info_[inputTensor_]; }
  TensorInfo outputInfo() const override { return info_[outputTensor_]; }
  int8_t* input() override { return act_[inputTensor_].data(); }
  const int8_t* output() const override { return act_[outputTensor_].data(); }
  Status invoke() override;
  size_t arenaUsedBytes() const override;
  const char* name() const override { return "int8-reference"; }

  struct Op {
    int in, weights, bias, out;
    int inDepth, outDepth;
    int32_t inputOffset, outputOffset;
    int32_t actMin, actMax;
    std::vector<int32_t> multiplier;
    std::vector<int> shift;
    const int8_t* w;
    const int32_t* b;  // null if the op has no bias
  };
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<TensorInfo> info_;
  std::vector<std::vector<float>> scales_;
  std::vector<const uint8_t*> constData_;
  std::vector<std::vector<int8_t>> act_;
  std::vector<Op> ops_;
  int inputTensor_ = 0, outputTensor_ = 0;
};

}  // namespace sc
