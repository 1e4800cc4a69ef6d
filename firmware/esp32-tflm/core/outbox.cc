#include "outbox.h"

#include <algorithm>
#include <cstring>

#include "crc32.h"

namespace sc {
namespace {
void put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }  // little-endian on host and ESP32
void put64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint32_t get32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t get64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }
constexpr uint32_t kMaxPayload = 1u << 20;
}  // namespace

Status Outbox::open(OutboxStorage* storage, const OutboxLimits& limits) {
  st_ = storage;
  limits_ = limits;
  pending_.clear();
  nextId_ = 1;
  pendingBytes_ = 0;
  droppedClips_ = droppedBatches_ = corrupt_ = 0;
  return replay();
}

Status Outbox::replay() {
  const size_t total = st_->size();
  size_t off = 0;
  size_t validEnd = 0;
  size_t covered = 0;  // bytes inside valid records
  uint8_t hdr[kHeaderBytes];
  std::vector<uint8_t> buf;
  while (off + kHeaderBytes + kTrailerBytes <= total) {
    Status s = st_->read(off, hdr, kHeaderBytes);
    if (!s.ok) return s;
    const uint32_t len = get32(hdr + 16);
    const uint8_t type = hdr[4];
    bool good = get32(hdr) == kMagic && len <= kMaxPayload && (type == kMessage || type == kAck || type == kDrop) &&
                off + kHeaderBytes + len + kTrailerBytes <= total;
    if (good) {
      buf.resize(kHeaderBytes + len + kTrailerBytes);
      s = st_->read(off, buf.data(), buf.size());
      if (!s.ok) return s;
      good = crc32(buf.data(), kHeaderBytes + len) == get32(buf.data() + kHeaderBytes + len);
    }
    if (!good) {
      ++off;  // resynchronise on the next magic; a torn tail is cut below
      continue;
    }
    const uint64_t id = get64(hdr + 8);
    const OutboxKind kind = static_cast<OutboxKind>(hdr[5]);
    if (type == kMessage) {
      pending_.push_back({id, kind, off + kHeaderBytes, len});
      pendingBytes_ += len;
    } else {
      auto it = std::find_if(pending_.begin(), pending_.end(), [&](const OutboxEntry& e) { return e.id == id; });
      if (it != pending_.end()) {
        if (type == kDrop) (it->kind == OutboxKind::Clip ? droppedClips_ : droppedBatches_)++;
        pendingBytes_ -= it->length;
        pending_.erase(it);
      }
    }
    nextId_ = std::max(nextId_, id + 1);
    off += kHeaderBytes + len + kTrailerBytes;
    covered += kHeaderBytes + len + kTrailerBytes;
    validEnd = off;
  }
  corrupt_ = static_cast<uint32_t>(total - covered);
  if (validEnd < total) {
    // Bytes after the last valid record: a write cut short by power loss or a kill. Cut them so
    // new records start on a clean boundary.
    Status s = st_->truncate(validEnd);
    if (!s.ok) return s;
  }
  return Status::Ok();
}

Status Outbox::appendRecord(RecordType type, OutboxKind kind, uint64_t id, const uint8_t* payload, size_t n, size_t* payloadOffset) {
  uint8_t hdr[kHeaderBytes] = {0};
  put32(hdr, kMagic);
  hdr[4] = type;
  hdr[5] = static_cast<uint8_t>(kind);
  put64(hdr + 8, id);
  put32(hdr + 16, static_cast<uint32_t>(n));
  uint8_t trailer[kTrailerBytes];
  put32(trailer, crc32(payload, n, crc32(hdr, kHeaderBytes)));
  // Header, payload and CRC go out back to back without copying the payload; a write torn
  // anywhere fails the CRC at replay.
  const uint8_t* parts[3] = {hdr, payload, trailer};
  const size_t sizes[3] = {kHeaderBytes, n, kTrailerBytes};
  const size_t at = st_->size();
  Status s = st_->appendParts(parts, sizes, 3);
  if (s.ok && payloadOffset) *payloadOffset = at + kHeaderBytes;
  return s;
}

Status Outbox::markGone(size_t index, RecordType type) {
  const OutboxEntry e = pending_[index];
  Status s = appendRecord(type, e.kind, e.id, nullptr, 0, nullptr);
  if (!s.ok) return s;
  pendingBytes_ -= e.length;
  pending_.erase(pending_.begin() + static_cast<long>(index));
  return Status::Ok();
}

Status Outbox::push(OutboxKind kind, const uint8_t* payload, size_t n, uint64_t* id) {
  if (n == 0 || n > kMaxPayload || n > limits_.maxPendingBytes)
    return Status::Error("outbox message of %zu bytes is empty or larger than the outbox (%zu)", n, limits_.maxPendingBytes);
  while (pendingBytes_ + n > limits_.maxPendingBytes && !pending_.empty()) {
    auto clip = std::find_if(pending_.begin(), pending_.end(), [](const OutboxEntry& e) { return e.kind == OutboxKind::Clip; });
    const size_t victim = clip != pending_.end() ? static_cast<size_t>(clip - pending_.begin()) : 0;
    (pending_[victim].kind == OutboxKind::Clip ? droppedClips_ : droppedBatches_)++;
    Status s = markGone(victim, kDrop);
    if (!s.ok) return s;
  }
  size_t at = 0;
  const uint64_t newId = nextId_;
  Status s = appendRecord(kMessage, kind, newId, payload, n, &at);
  if (!s.ok) return s;
  ++nextId_;
  pending_.push_back({newId, kind, at, static_cast<uint32_t>(n)});
  pendingBytes_ += n;
  if (id) *id = newId;
  return compactIfNeeded();
}

bool Outbox::front(OutboxEntry* e) const {
  if (pending_.empty()) return false;
  *e = pending_.front();
  return true;
}

Status Outbox::readPayload(const OutboxEntry& e, std::string* out) {
  out->resize(e.length);
  return st_->read(e.offset, reinterpret_cast<uint8_t*>(&(*out)[0]), e.length);
}

Status Outbox::ack(uint64_t id) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const OutboxEntry& e) { return e.id == id; });
  if (it == pending_.end()) return Status::Error("outbox has no pending message %llu", static_cast<unsigned long long>(id));
  Status s = markGone(static_cast<size_t>(it - pending_.begin()), kAck);
  if (!s.ok) return s;
  return compactIfNeeded();
}

Status Outbox::compactIfNeeded() {
  // Only when the log is big AND mostly dead records; otherwise compaction would rewrite the same
  // pending data again and again.
  const size_t live = pendingBytes_ + pending_.size() * (kHeaderBytes + kTrailerBytes);
  if (st_->size() < limits_.compactAtBytes || st_->size() < 2 * live) return Status::Ok();
  // Rewrite only the pending messages (with their ids), then swap atomically.
  std::vector<uint8_t> out;
  out.reserve(pendingBytes_ + pending_.size() * (kHeaderBytes + kTrailerBytes));
  std::vector<OutboxEntry> moved;
  std::string payload;
  for (const OutboxEntry& e : pending_) {
    Status s = readPayload(e, &payload);
    if (!s.ok) return s;
    const size_t start = out.size();
    out.resize(start + kHeaderBytes + e.length + kTrailerBytes, 0);
    uint8_t* r = out.data() + start;
    put32(r, kMagic);
    r[4] = kMessage;
    r[5] = static_cast<uint8_t>(e.kind);
    put64(r + 8, e.id);
    put32(r + 16, e.length);
    std::memcpy(r + kHeaderBytes, payload.data(), e.length);
    put32(r + kHeaderBytes + e.length, crc32(r, kHeaderBytes + e.length));
    moved.push_back({e.id, e.kind, start + kHeaderBytes, e.length});
  }
  Status s = st_->replace(out.data(), out.size());
  if (!s.ok) return s;
  pending_ = std::move(moved);
  return Status::Ok();
}

OutboxStats Outbox::stats() const {
  OutboxStats s;
  s.pending = pending_.size();
  s.pendingBytes = pendingBytes_;
  s.logBytes = st_ ? st_->size() : 0;
  s.droppedClips = droppedClips_;
  s.droppedBatches = droppedBatches_;
  s.corruptSkippedBytes = corrupt_;
  return s;
}

}  // namespace sc
