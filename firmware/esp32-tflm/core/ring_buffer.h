// Fixed-capacity ring buffer: storage is sized once in init(); push/copy never allocate, so it is
// safe in the audio loop. Overwrites the oldest samples when full (audio is a live stream).
#pragma once
#include <cstddef>
#include <vector>

namespace sc {

template <typename T>
class RingBuffer {
 public:
  void init(size_t capacity) {
    buf_.assign(capacity, T());
    head_ = 0;
    size_ = 0;
  }
  size_t capacity() const { return buf_.size(); }
  size_t size() const { return size_; }
  void clear() { head_ = size_ = 0; }

  void push(const T* data, size_t n) {
    for (size_t i = 0; i < n; ++i) push(data[i]);
  }
  void push(T v) {
    buf_[head_] = v;
    head_ = (head_ + 1) % buf_.size();
    if (size_ < buf_.size()) ++size_;
  }
  // Copies the most recent n items (oldest first) into out; returns false if fewer are stored.
  bool copyLatest(T* out, size_t n) const {
    if (n > size_) return false;
    size_t start = (head_ + buf_.size() - n) % buf_.size();
    for (size_t i = 0; i < n; ++i) out[i] = buf_[(start + i) % buf_.size()];
    return true;
  }
  // i = 0 is the oldest stored item.
  const T& at(size_t i) const { return buf_[(head_ + buf_.size() - size_ + i) % buf_.size()]; }

 private:
  std::vector<T> buf_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace sc
