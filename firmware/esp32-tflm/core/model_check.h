// Runtime half of "the model and the header must agree": after loading, the model's length,
// sha256 and input/output tensors must equal what card.json (via the generated header) said.
// The compile-time half is the static_asserts in the generated header.
#pragma once
#include "model_config_types.h"
#include "model_runner.h"

namespace sc {

Status checkModelAgainstConfig(const uint8_t* model, size_t size, const ModelRunner& runner, const ModelConfig& cfg);

// For a model received over the air (its sha256 was verified against the cloud's config at
// download): it must still fit the compiled-in front end and pre-processing, i.e. the same input
// and output tensors (shape, int8, quantisation). Anything else needs a firmware update.
Status checkTensorsAgainstConfig(const ModelRunner& runner, const ModelConfig& cfg);

}  // namespace sc
