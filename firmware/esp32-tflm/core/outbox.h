// Store-and-forward outbox: an append-only log of records, each [header | payload | CRC-32].
// Message records hold one protocol message (a verdict batch or a clip); ACK records mark a
// message delivered; DROP records mark one given up under the size bound. Replaying the log at
// open rebuilds the pending queue, so a reboot or a crash mid-write loses nothing that was
// appended and never resurrects anything acknowledged (a torn tail fails its CRC and is cut off).
//
// Bound and drop policy: pending payload bytes never exceed maxPendingBytes. To make room the
// outbox drops the OLDEST CLIP first (clips are nice-to-have evidence), then the oldest verdict
// batch; every drop is counted (droppedClips/droppedBatches) and leaves a gap in the protocol's
// seq numbers, which the cloud records as data loss. The log is compacted (pending records only,
// atomic replace) once it grows past compactAtBytes and is at least half dead records.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "outbox_storage.h"

namespace sc {

// Verdicts: a verdict-batch JSON message. Clip: a clip JSON message. CompactVerdicts: a verdict
// batch in protocol::compactBatch form (~4x smaller; turned into the same JSON when sent).
enum class OutboxKind : uint8_t { Verdicts = 1, Clip = 2, CompactVerdicts = 3 };

struct OutboxEntry {
  uint64_t id;
  OutboxKind kind;
  size_t offset;  // of the payload in the log
  uint32_t length;
};

struct OutboxLimits {
  size_t maxPendingBytes = 256 * 1024;
  size_t compactAtBytes = 512 * 1024;
};

struct OutboxStats {
  size_t pending = 0;
  size_t pendingBytes = 0;
  size_t logBytes = 0;
  uint32_t droppedClips = 0;
  uint32_t droppedBatches = 0;
  uint32_t corruptSkippedBytes = 0;  // bytes skipped at open (torn tail / rot)
};

class Outbox {
 public:
  Status open(OutboxStorage* storage, const OutboxLimits& limits);
  Status push(OutboxKind kind, const uint8_t* payload, size_t n, uint64_t* id = nullptr);
  Status push(OutboxKind kind, const std::string& payload, uint64_t* id = nullptr) {
    return push(kind, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), id);
  }
  bool front(OutboxEntry* e) const;
  const std::vector<OutboxEntry>& pending() const { return pending_; }
  Status readPayload(const OutboxEntry& e, std::string* out);
  // Removes the entry for good. Acking an unknown id is an error (it was never pending).
  Status ack(uint64_t id);
  OutboxStats stats() const;

  static constexpr uint32_t kMagic = 0x424F4353;  // "SCOB"
  static constexpr size_t kHeaderBytes = 20;       // magic u32, type u8, kind u8, pad u16, id u64, len u32
  static constexpr size_t kTrailerBytes = 4;

 private:
  enum RecordType : uint8_t { kMessage = 1, kAck = 2, kDrop = 3 };
  Status appendRecord(RecordType type, OutboxKind kind, uint64_t id, const uint8_t* payload, size_t n, size_t* payloadOffset);
  Status markGone(size_t index, RecordType type);
  Status compactIfNeeded();
  Status replay();

  OutboxStorage* st_ = nullptr;
  OutboxLimits limits_{};
  std::vector<OutboxEntry> pending_;
  uint64_t nextId_ = 1;
  size_t pendingBytes_ = 0;
  uint32_t droppedClips_ = 0, droppedBatches_ = 0, corrupt_ = 0;
};

}  // namespace sc
