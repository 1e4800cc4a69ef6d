#include "outbox_storage.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sc {

PosixFileStorage::~PosixFileStorage() {
  if (fd_ >= 0) ::close(fd_);
}

Status PosixFileStorage::open(const std::string& path, bool syncEachWrite) {
  path_ = path;
  sync_ = syncEachWrite;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd_ < 0) return Status::Error("cannot open outbox %s: %s", path.c_str(), std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::Error("cannot stat outbox %s: %s", path.c_str(), std::strerror(errno));
  size_ = static_cast<size_t>(st.st_size);
  return Status::Ok();
}

Status PosixFileStorage::read(size_t offset, uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Status::Error("outbox read at %zu failed: %s", offset, r < 0 ? std::strerror(errno) : "short file");
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

Status PosixFileStorage::appendParts(const uint8_t* const* parts, const size_t* sizes, size_t nParts) {
  size_t done = 0;
  for (size_t p = 0; p < nParts; ++p) {
    size_t partDone = 0;
    while (partDone < sizes[p]) {
      ssize_t w = ::pwrite(fd_, parts[p] + partDone, sizes[p] - partDone, static_cast<off_t>(size_ + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return Status::Error("outbox write failed: %s", std::strerror(errno));
      partDone += static_cast<size_t>(w);
      done += static_cast<size_t>(w);
    }
  }
  if (sync_ && ::fsync(fd_) != 0) return Status::Error("outbox fsync failed: %s", std::strerror(errno));
  size_ += done;
  return Status::Ok();
}

Status PosixFileStorage::truncate(size_t n) {
  if (::ftruncate(fd_, static_cast<off_t>(n)) != 0) return Status::Error("outbox truncate failed: %s", std::strerror(errno));
  if (sync_) ::fsync(fd_);
  size_ = n;
  return Status::Ok();
}

Status PosixFileStorage::replace(const uint8_t* data, size_t n) {
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::Error("cannot create %s: %s", tmp.c_str(), std::strerror(errno));
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::close(fd);
      return Status::Error("outbox compaction write failed: %s", std::strerror(errno));
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::close(fd);
    return Status::Error("outbox compaction commit failed: %s", std::strerror(errno));
  }
  ::close(fd_);
  fd_ = fd;
  size_ = n;
  return Status::Ok();
}

}  // namespace sc
