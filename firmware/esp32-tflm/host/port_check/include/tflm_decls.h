// Compile-only stand-ins for the TFLite Micro API the port uses (see idf_decls.h for why).
#pragma once
#include <cstddef>
#include <cstdint>

typedef enum { kTfLiteOk = 0, kTfLiteError = 1 } TfLiteStatus;
typedef enum { kTfLiteNoType = 0, kTfLiteFloat32 = 1, kTfLiteInt8 = 9 } TfLiteType;
typedef struct {
  int size;
  int data[1];
} TfLiteIntArray;
typedef struct {
  float scale;
  int32_t zero_point;
} TfLiteQuantizationParams;
typedef union {
  int8_t* int8;
  float* f;
  void* raw;
} TfLitePtrUnion;
typedef struct {
  TfLiteType type;
  TfLitePtrUnion data;
  TfLiteIntArray* dims;
  TfLiteQuantizationParams params;
} TfLiteTensor;

namespace tflite {
struct Model {
  uint32_t version() const;
};
const Model* GetModel(const void* buf);
class MicroOpResolver {
 public:
  virtual ~MicroOpResolver() = default;
};
template <unsigned int tOpCount>
class MicroMutableOpResolver : public MicroOpResolver {
 public:
  TfLiteStatus AddFullyConnected();
};
class MicroInterpreter {
 public:
  MicroInterpreter(const Model* model, const MicroOpResolver& op_resolver, uint8_t* tensor_arena, size_t tensor_arena_size);
  ~MicroInterpreter();
  TfLiteStatus AllocateTensors();
  TfLiteTensor* input(size_t index);
  TfLiteTensor* output(size_t index);
  TfLiteStatus Invoke();
  size_t arena_used_bytes() const;
};
}  // namespace tflite
