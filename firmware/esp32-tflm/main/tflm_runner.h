// TensorFlow Lite Micro implementation of the core's ModelRunner: MicroMutableOpResolver with
// exactly the exported model's op (FULLY_CONNECTED), tensor arena from the heap (internal RAM
// preferred, PSRAM if present), arena_used_bytes() logged at load.
#pragma once
#include "model_runner.h"

namespace tflite {
class MicroInterpreter;
}

namespace sc::port {

class TflmRunner : public ModelRunner {
 public:
  explicit TflmRunner(size_t arenaBytes) : arenaBytes_(arenaBytes) {}
  ~TflmRunner() override;
  Status load(const uint8_t* model, size_t size) override;
  TensorInfo inputInfo() const override { return in_; }
  TensorInfo outputInfo() const override { return out_; }
  int8_t* input() override;
  const int8_t* output() const override;
  Status invoke() override;
  size_t arenaUsedBytes() const override;
  const char* name() const override { return "tflm"; }

 private:
  void release();
  size_t arenaBytes_;
  uint8_t* arena_ = nullptr;
  tflite::MicroInterpreter* interp_ = nullptr;
  TensorInfo in_, out_;
};

}  // namespace sc::port
