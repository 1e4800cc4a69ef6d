#include "crc32.h"

namespace sc {
namespace {
struct Table {
  uint32_t t[256];
  constexpr Table() : t{} {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
  }
};
constexpr Table kTable;
}  // namespace

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = kTable.t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}
}  // namespace sc
