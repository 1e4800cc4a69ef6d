// Over-the-air model updates into the "model" data partition, split into two slots A/B.
// The active slot is an NVS record {slot, sha256, length, trial}; NVS commits are atomic, so the
// swap is atomic. A download goes to the inactive slot, is verified by sha256 while streaming and
// again after writing (read back from flash), and only then becomes active with trial = 1. The
// app confirms it (trial = 0) after it loaded and scored; a model that fails to load, or a boot
// that finds trial still set from the previous boot, rolls back to the previous slot (or to the
// model compiled into the firmware).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "esp_err.h"

namespace sc::port {

struct ActiveModel {
  const uint8_t* data = nullptr;  // memory-mapped flash (valid until unmapped by a new load)
  size_t length = 0;
  std::string sha256;
  bool fromPartition = false;  // false: the compiled-in model
  bool trial = false;
};

esp_err_t modelStoreInit();
// Chooses the model to run at boot, applying the rollback rule above.
ActiveModel modelStoreActive(const uint8_t* builtin, size_t builtinLen, const char* builtinSha);
// Downloads url (Bearer token) into the inactive slot; activates it as a trial if the sha matches.
esp_err_t modelStoreDownload(const std::string& url, const std::string& token, const std::string& sha256);
void modelStoreConfirm();   // the trial model works: keep it
void modelStoreRollback();  // the trial model failed: back to the previous one

}  // namespace sc::port
