// Where the outbox log lives. The POSIX implementation serves both the host (a file) and the
// ESP32 (a file on the LittleFS data partition through ESP-IDF's VFS, which is power-loss safe).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "status.h"

namespace sc {

class OutboxStorage {
 public:
  virtual ~OutboxStorage() = default;
  virtual size_t size() = 0;
  virtual Status read(size_t offset, uint8_t* out, size_t n) = 0;
  // Appends the parts back to back; durable when it returns OK (fsync'd if the implementation
  // syncs). Parts avoid copying a large payload just to frame it.
  virtual Status appendParts(const uint8_t* const* parts, const size_t* sizes, size_t n) = 0;
  Status append(const uint8_t* data, size_t n) { return appendParts(&data, &n, 1); }
  virtual Status truncate(size_t n) = 0;
  // Atomically replaces the whole log (write temp, sync, rename): old or new, never half.
  virtual Status replace(const uint8_t* data, size_t n) = 0;
};

class PosixFileStorage : public OutboxStorage {
 public:
  ~PosixFileStorage() override;
  Status open(const std::string& path, bool syncEachWrite = true);
  size_t size() override { return size_; }
  Status read(size_t offset, uint8_t* out, size_t n) override;
  Status appendParts(const uint8_t* const* parts, const size_t* sizes, size_t n) override;
  Status truncate(size_t n) override;
  Status replace(const uint8_t* data, size_t n) override;

 private:
  std::string path_;
  int fd_ = -1;
  size_t size_ = 0;
  bool sync_ = true;
};

}  // namespace sc
