#include "protocol.h"

#include <cmath>
#include <cstdio>

namespace sc::protocol {
namespace {
// JSON has no NaN/Infinity, and the schema bounds scores to [0, 1e6] and levels to [-200, 200].
std::string num(double v, double lo, double hi, const char* fmt = "%.6g") {
  if (!std::isfinite(v)) v = lo;
  v = v < lo ? lo : v > hi ? hi : v;
  char b[32];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}
std::string u64(uint64_t v) { return std::to_string(v); }

// Only called with validated ids/hashes and fixed strings, but firmware names are free text.
std::string esc(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

std::string envelope(const Identity& id, uint32_t seq) {
  return "{\"v\":1,\"deviceId\":\"" + esc(id.deviceId) + "\",\"bootId\":\"" + esc(id.bootId) + "\",\"seq\":" + u64(seq);
}
}  // namespace

bool validDeviceId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

bool validBootId(const std::string& id) {
  if (id.size() < 8 || id.size() > 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

std::string bootIdFromRandom(uint64_t r) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(r));
  return b;
}

std::string verdictBatch(const Identity& id, uint32_t seq, const std::string& modelSha256, const Window* w, size_t n) {
  std::string s = envelope(id, seq) + ",\"modelSha256\":\"" + esc(modelSha256) + "\",\"windows\":[";
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"t\":" + u64(w[i].t) + ",\"score\":" + num(w[i].score, 0, 1e6) + ",\"state\":\"" + w[i].state +
         "\",\"levelDb\":" + num(w[i].levelDb, -200, 200, "%.2f") + "}";
  }
  return s + "]}";
}

std::string clipUpload(const Identity& id, uint32_t seq, uint64_t t, float edgeScore, const char* encoding, uint32_t samples,
                       const uint8_t* audio, size_t audioBytes) {
  return clipUpload(id, seq, t, edgeScore, encoding, samples, &audio, &audioBytes, 1);
}

std::string clipUpload(const Identity& id, uint32_t seq, uint64_t t, float edgeScore, const char* encoding, uint32_t samples,
                       const uint8_t* const* parts, const size_t* partBytes, size_t nParts) {
  std::string s = envelope(id, seq) + ",\"t\":" + u64(t) + ",\"edgeScore\":" + num(edgeScore, 0, 1e6) +
                  ",\"sampleRate\":16000,\"encoding\":\"" + encoding + "\",\"samples\":" + u64(samples) + ",\"audio\":\"";
  size_t total = 0;
  for (size_t i = 0; i < nParts; ++i) total += partBytes[i];
  s.reserve(s.size() + (total + 2) / 3 * 4 + 2);  // one allocation for the whole message
  base64Append(s, parts, partBytes, nParts);
  return s + "\"}";
}

std::string heartbeat(const Identity& id, const HeartbeatInfo& h) {
  std::string s = envelope(id, h.lastSeq) + ",\"uptimeS\":" + u64(h.uptimeS) + ",\"firmware\":\"" + esc(h.firmware.substr(0, 64)) +
                  "\",\"modelSha256\":\"" + esc(h.modelSha256) + "\"";
  if (h.rssi <= 0 && h.rssi >= -127) s += ",\"rssi\":" + std::to_string(h.rssi);
  if (h.freeHeap >= 0) s += ",\"freeHeap\":" + std::to_string(h.freeHeap);
  if (h.outboxDepth >= 0) s += ",\"outboxDepth\":" + std::to_string(h.outboxDepth);
  return s + ",\"lastSeq\":" + u64(h.lastSeq) + "}";
}

std::string withSentAt(const std::string& message, uint64_t sentAtMs) {
  if (message.empty() || message[0] != '{') return message;
  return "{\"sentAt\":" + u64(sentAtMs) + "," + message.substr(1);
}

std::string base64(const uint8_t* d, size_t n) {
  std::string o;
  o.reserve((n + 2) / 3 * 4);
  base64Append(o, &d, &n, 1);
  return o;
}

void base64Append(std::string& o, const uint8_t* const* parts, const size_t* partBytes, size_t nParts) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint32_t acc = 0;
  int have = 0;  // bytes in acc
  for (size_t p = 0; p < nParts; ++p) {
    for (size_t i = 0; i < partBytes[p]; ++i) {
      acc = (acc << 8) | parts[p][i];
      if (++have == 3) {
        o += k[(acc >> 18) & 63];
        o += k[(acc >> 12) & 63];
        o += k[(acc >> 6) & 63];
        o += k[acc & 63];
        acc = 0;
        have = 0;
      }
    }
  }
  if (have == 1) {
    acc <<= 16;
    o += k[(acc >> 18) & 63];
    o += k[(acc >> 12) & 63];
    o += "==";
  } else if (have == 2) {
    acc <<= 8;
    o += k[(acc >> 18) & 63];
    o += k[(acc >> 12) & 63];
    o += k[(acc >> 6) & 63];
    o += '=';
  }
}

}  // namespace sc::protocol
