#include "tflm_runner.h"

#include "esp_heap_caps.h"
#include "esp_log.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

// Not every TFLM snapshot defines it (it lived in tensorflow/lite/version.h); the schema is v3.
#ifndef TFLITE_SCHEMA_VERSION
#define TFLITE_SCHEMA_VERSION 3
#endif

namespace sc::port {
namespace {
const char* TAG = "tflm";

// Exactly the ops the exporter emits (card.json "ops"): one.
tflite::MicroMutableOpResolver<1>& resolver() {
  static tflite::MicroMutableOpResolver<1> r;
  static bool ready = false;
  if (!ready) {
    r.AddFullyConnected();
    ready = true;
  }
  return r;
}

TensorInfo describe(const TfLiteTensor* t) {
  TensorInfo i;
  i.rank = t->dims->size > 4 ? 4 : t->dims->size;
  for (int d = 0; d < i.rank; ++d) i.dims[d] = t->dims->data[d];
  i.type = t->type == kTfLiteInt8 ? 9 : -1;
  i.scale = t->params.scale;
  i.zeroPoint = t->params.zero_point;
  return i;
}
}  // namespace

TflmRunner::~TflmRunner() { release(); }

void TflmRunner::release() {
  delete interp_;
  interp_ = nullptr;
  if (arena_) heap_caps_free(arena_);
  arena_ = nullptr;
}

Status TflmRunner::load(const uint8_t* model, size_t size) {
  release();
  const tflite::Model* m = tflite::GetModel(model);
  if (m->version() != TFLITE_SCHEMA_VERSION)
    return Status::Error("model schema %lu, TFLM expects %d", static_cast<unsigned long>(m->version()), TFLITE_SCHEMA_VERSION);
  (void)size;
  // 16-byte aligned arena: internal RAM first (fast), PSRAM as a fallback.
  arena_ = static_cast<uint8_t*>(heap_caps_aligned_alloc(16, arenaBytes_, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT));
  if (!arena_) arena_ = static_cast<uint8_t*>(heap_caps_aligned_alloc(16, arenaBytes_, MALLOC_CAP_SPIRAM | MALLOC_CAP_8BIT));
  if (!arena_) return Status::Error("cannot allocate a %u-byte tensor arena", static_cast<unsigned>(arenaBytes_));
  interp_ = new tflite::MicroInterpreter(m, resolver(), arena_, arenaBytes_);
  if (interp_->AllocateTensors() != kTfLiteOk) {
    release();
    return Status::Error("AllocateTensors failed (arena %u bytes too small, or an op other than FULLY_CONNECTED)",
                         static_cast<unsigned>(arenaBytes_));
  }
  in_ = describe(interp_->input(0));
  out_ = describe(interp_->output(0));
  ESP_LOGI(TAG, "model loaded: arena_used_bytes=%u of %u, input %d, output %d", static_cast<unsigned>(interp_->arena_used_bytes()),
           static_cast<unsigned>(arenaBytes_), in_.elements(), out_.elements());
  return Status::Ok();
}

int8_t* TflmRunner::input() { return interp_->input(0)->data.int8; }
const int8_t* TflmRunner::output() const { return interp_->output(0)->data.int8; }

Status TflmRunner::invoke() {
  if (interp_->Invoke() != kTfLiteOk) return Status::Error("TFLM Invoke failed");
  return Status::Ok();
}

size_t TflmRunner::arenaUsedBytes() const { return interp_ ? interp_->arena_used_bytes() : 0; }

}  // namespace sc::port
