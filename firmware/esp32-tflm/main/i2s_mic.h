// INMP441 / ICS-43434 on I2S standard (Philips) mode, RX only: 32-bit slots carrying 24-bit
// samples, left slot (L/R pin to GND), 16 kHz. read() returns int16 PCM (the top 16 of the 24
// bits), the same format the host device reads from WAV files.
#pragma once
#include <cstddef>
#include <cstdint>

#include "esp_err.h"

namespace sc::port {

struct I2sPins {
  int bclk;
  int ws;
  int din;
};

class I2sMic {
 public:
  esp_err_t begin(const I2sPins& pins, uint32_t sampleRate);
  // Blocks up to timeoutMs; returns samples written to out (<= maxSamples).
  size_t read(int16_t* out, size_t maxSamples, uint32_t timeoutMs);

 private:
  void* rx_ = nullptr;  // i2s_chan_handle_t
  int32_t raw_[320];    // 20 ms of 32-bit slots per read
};

}  // namespace sc::port
