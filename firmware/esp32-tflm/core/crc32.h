// CRC-32 (IEEE 802.3, reflected 0xEDB88320): one per outbox record, so a torn or rotten record is
// detected instead of being sent.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sc {
uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);
}
