// Minimal bounds-checked FlatBuffers reader: just enough to walk a TFLite model (tables, scalar
// fields, vectors, strings). Every offset is checked against the buffer, so a corrupt or
// truncated .tflite yields an invalid view instead of a wild read.
#pragma once
#include <cstdint>
#include <cstring>

namespace sc::fb {

class Buffer {
 public:
  Buffer(const uint8_t* data, size_t size) : d_(data), n_(size) {}
  bool has(size_t off, size_t len) const { return off <= n_ && len <= n_ - off; }
  template <typename T>
  bool read(size_t off, T* out) const {
    if (!has(off, sizeof(T))) return false;
    std::memcpy(out, d_ + off, sizeof(T));  // little-endian host/ESP32; memcpy avoids unaligned loads
    return true;
  }
  const uint8_t* data() const { return d_; }
  size_t size() const { return n_; }

 private:
  const uint8_t* d_;
  size_t n_;
};

struct Vector {
  const Buffer* buf = nullptr;
  size_t start = 0;  // first element
  uint32_t length = 0;
  bool valid = false;
};

class Table {
 public:
  Table() = default;
  Table(const Buffer* b, size_t pos) : b_(b), pos_(pos) {
    int32_t soff;
    uint16_t vtLen, objLen;
    if (!b_->read(pos_, &soff)) return;
    const int64_t vt = static_cast<int64_t>(pos_) - soff;
    if (vt < 0 || !b_->read(static_cast<size_t>(vt), &vtLen) || !b_->read(static_cast<size_t>(vt) + 2, &objLen)) return;
    if (vtLen < 4 || vtLen % 2 || !b_->has(static_cast<size_t>(vt), vtLen) || !b_->has(pos_, objLen)) return;
    vt_ = static_cast<size_t>(vt);
    vtLen_ = vtLen;
    valid_ = true;
  }
  bool valid() const { return valid_; }

  // Absolute position of field `id`, or 0 if absent.
  size_t fieldPos(int id) const {
    if (!valid_) return 0;
    const size_t slot = 4 + 2 * static_cast<size_t>(id);
    if (slot + 2 > vtLen_) return 0;
    uint16_t off = 0;
    b_->read(vt_ + slot, &off);
    return off ? pos_ + off : 0;
  }
  template <typename T>
  T scalar(int id, T def) const {
    const size_t p = fieldPos(id);
    T v = def;
    if (p) b_->read(p, &v);
    return v;
  }
  Table table(int id) const {
    const size_t p = fieldPos(id);
    uint32_t off;
    if (!p || !b_->read(p, &off)) return Table();
    return Table(b_, p + off);
  }
  Vector vector(int id, size_t elemSize) const {
    Vector v;
    const size_t p = fieldPos(id);
    uint32_t off, len;
    if (!p || !b_->read(p, &off) || !b_->read(p + off, &len)) return v;
    if (!b_->has(p + off + 4, static_cast<size_t>(len) * elemSize)) return v;
    v.buf = b_;
    v.start = p + off + 4;
    v.length = len;
    v.valid = true;
    return v;
  }
  // Element i of a vector of tables.
  Table tableAt(const Vector& v, uint32_t i) const {
    if (!v.valid || i >= v.length) return Table();
    const size_t p = v.start + 4 * static_cast<size_t>(i);
    uint32_t off;
    if (!b_->read(p, &off)) return Table();
    return Table(b_, p + off);
  }
  template <typename T>
  T at(const Vector& v, uint32_t i) const {
    T out{};
    if (v.valid && i < v.length) b_->read(v.start + sizeof(T) * i, &out);
    return out;
  }

 private:
  const Buffer* b_ = nullptr;
  size_t pos_ = 0;
  size_t vt_ = 0;
  uint16_t vtLen_ = 0;
  bool valid_ = false;
};

inline Table root(const Buffer& b) {
  uint32_t off;
  if (!b.read(0, &off)) return Table();
  return Table(&b, off);
}

}  // namespace sc::fb
