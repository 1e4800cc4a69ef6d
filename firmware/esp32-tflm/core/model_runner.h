// The model-runner interface: TFLite Micro on the ESP32 (main/tflm_runner.cc), the int8
// reference runner on the host (int8_reference_runner.h). Both are loaded once, then invoke()
// runs without allocating.
#pragma once
#include <cstddef>
#include <cstdint>

#include "status.h"

namespace sc {

struct TensorInfo {
  int dims[4] = {0, 0, 0, 0};
  int rank = 0;
  int type = -1;  // TFLite TensorType (9 = INT8)
  float scale = 0.f;
  int32_t zeroPoint = 0;
  int elements() const {
    int n = rank ? 1 : 0;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
};

class ModelRunner {
 public:
  virtual ~ModelRunner() = default;
  // The model bytes must outlive the runner (weights are read in place, as TFLM does).
  virtual Status load(const uint8_t* model, size_t size) = 0;
  virtual TensorInfo inputInfo() const = 0;
  virtual TensorInfo outputInfo() const = 0;
  virtual int8_t* input() = 0;
  virtual const int8_t* output() const = 0;
  virtual Status invoke() = 0;
  virtual size_t arenaUsedBytes() const = 0;
  virtual const char* name() const = 0;
};

}  // namespace sc
