// Device -> cloud protocol v1 encoder (contract E; the schema lives in cloud/src/protocol/ and the
// host tests validate this encoder's output against it). Messages are built once, at enqueue
// time, and stored in the outbox as-is, so a retry after a reboot resends byte-identical JSON
// (apart from the optional sentAt, inserted when sending).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sc::protocol {

constexpr int kVersion = 1;
constexpr int kMaxWindowsPerBatch = 120;
constexpr int kMaxClipSamples = 160000;

struct Identity {
  std::string deviceId;  // [A-Za-z0-9_-]{1,64}
  std::string bootId;    // 8..32 hex, new each boot
};

struct Window {
  uint64_t t;     // ms epoch, end of the window
  float score;    // >= 0
  const char* state;
  float levelDb;  // mean log-mel level in dB
};

struct HeartbeatInfo {
  uint32_t uptimeS;
  std::string firmware;
  std::string modelSha256;
  int rssi;          // 1 = unknown (omitted)
  int64_t freeHeap;  // < 0 = omitted
  int64_t outboxDepth;
  uint32_t lastSeq;
  // The thresholds the device is deciding with (its own after baseline learning, else the card's),
  // so the cloud judges this machine's scores as the device does. alert <= 0 = omitted.
  float alert = -1;
  float borderlineLow = -1;
  bool learned = false;
};

bool validDeviceId(const std::string& id);
bool validBootId(const std::string& id);
// Random 16-hex boot id from 64 bits of entropy supplied by the platform (esp_random / urandom).
std::string bootIdFromRandom(uint64_t r);

std::string verdictBatch(const Identity& id, uint32_t seq, const std::string& modelSha256, const Window* w, size_t n);
std::string clipUpload(const Identity& id, uint32_t seq, uint64_t t, float edgeScore, const char* encoding, uint32_t samples,
                       const uint8_t* audio, size_t audioBytes);
// Same, with the audio given as consecutive parts (e.g. a header and two ring segments).
std::string clipUpload(const Identity& id, uint32_t seq, uint64_t t, float edgeScore, const char* encoding, uint32_t samples,
                       const uint8_t* const* parts, const size_t* partBytes, size_t nParts);
std::string heartbeat(const Identity& id, const HeartbeatInfo& h);

// A verdict batch as stored in the outbox: ~15 bytes per window instead of ~70 of JSON, so the
// flash outbox holds ~4x longer outages. compactBatchToJson() gives exactly the verdictBatch()
// JSON of the same arguments (scores are float32 either way; levels are kept to 0.01 dB, the
// precision the JSON prints). Layout (little-endian): u8 format=1 | u8 n | u32 seq | u8 len +
// deviceId | u8 len + bootId | u8 32 + sha256 raw bytes (or u8 len + text) |
// n × {u64 t | f32 score | u8 state | i16 level×100}.
std::string compactBatch(const Identity& id, uint32_t seq, const std::string& modelSha256, const Window* w, size_t n);
// False if the record is malformed.
bool compactBatchToJson(const std::string& record, std::string* json);
// Inserts "sentAt" right after the opening brace (the stored message never has one).
std::string withSentAt(const std::string& message, uint64_t sentAtMs);
std::string base64(const uint8_t* data, size_t n);
// Appends the base64 of the concatenated parts to out.
void base64Append(std::string& out, const uint8_t* const* parts, const size_t* partBytes, size_t nParts);

}  // namespace sc::protocol
