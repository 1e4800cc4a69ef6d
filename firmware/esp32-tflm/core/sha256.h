// SHA-256 (FIPS 180-4), streaming. Used to check that the model in flash is the one the
// generated header describes, and to verify OTA model downloads before they are swapped in.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sc {

class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(const uint8_t* data, size_t n);
  void finish(uint8_t out[32]);
  // Hex digest (65 bytes incl. NUL) of a whole buffer.
  static void hex(const uint8_t* data, size_t n, char out[65]);

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t bufLen_;
  uint64_t total_;
};

}  // namespace sc
