#include "protocol.h"

#include <cmath>
#include <cstdio>
#include <cstring>

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

// Levels go out at 0.01 dB, rounded the same way the compact outbox form stores them.
int16_t levelCentiDb(float lv) {
  double v = std::isfinite(lv) ? lv : -200.0;
  v = v < -200 ? -200 : v > 200 ? 200 : v;
  return static_cast<int16_t>(std::lround(v * 100));
}
std::string levelStr(float lv) {
  char b[16];
  std::snprintf(b, sizeof b, "%.2f", levelCentiDb(lv) / 100.0);
  return b;
}

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
         "\",\"levelDb\":" + levelStr(w[i].levelDb) + "}";
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

namespace {
const char* const kStates[] = {"learning", "normal", "watch", "alarm"};

uint8_t stateCode(const char* s) {
  for (uint8_t i = 0; i < 4; ++i)
    if (std::strcmp(s, kStates[i]) == 0) return i;
  return 1;
}

void putBytes(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
void putStr(std::string& out, const std::string& s) {
  const uint8_t n = static_cast<uint8_t>(s.size() > 255 ? 255 : s.size());
  out += static_cast<char>(n);
  out.append(s, 0, n);
}
}  // namespace

std::string compactBatch(const Identity& id, uint32_t seq, const std::string& modelSha256, const Window* w, size_t n) {
  std::string out;
  out.reserve(8 + id.deviceId.size() + id.bootId.size() + modelSha256.size() + n * 15);
  out += static_cast<char>(1);
  out += static_cast<char>(n > 255 ? 255 : n);
  putBytes(out, &seq, 4);
  putStr(out, id.deviceId);
  putStr(out, id.bootId);
  // A 64-hex sha256 is stored as its 32 raw bytes (length byte 32 means "raw"), anything else as text.
  bool hex64 = modelSha256.size() == 64;
  for (char c : modelSha256) hex64 = hex64 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (hex64) {
    out += static_cast<char>(32);
    for (size_t i = 0; i < 64; i += 2) out += static_cast<char>(std::stoi(modelSha256.substr(i, 2), nullptr, 16));
  } else {
    // (never valid per the schema; a 32-character text gets a space so it cannot read as raw)
    putStr(out, modelSha256.size() == 32 ? modelSha256 + " " : modelSha256);
  }
  for (size_t i = 0; i < n && i < 255; ++i) {
    putBytes(out, &w[i].t, 8);
    putBytes(out, &w[i].score, 4);
    out += static_cast<char>(stateCode(w[i].state));
    const int16_t q = levelCentiDb(w[i].levelDb);
    putBytes(out, &q, 2);
  }
  return out;
}

bool compactBatchToJson(const std::string& r, std::string* json) {
  size_t p = 0;
  auto take = [&](void* dst, size_t k) {
    if (p + k > r.size()) return false;
    std::memcpy(dst, r.data() + p, k);
    p += k;
    return true;
  };
  auto takeStr = [&](std::string* s) {
    uint8_t k;
    if (!take(&k, 1) || p + k > r.size()) return false;
    s->assign(r, p, k);
    p += k;
    return true;
  };
  uint8_t format, n;
  uint32_t seq;
  Identity id;
  std::string sha;
  if (!take(&format, 1) || format != 1 || !take(&n, 1) || !take(&seq, 4) || !takeStr(&id.deviceId) || !takeStr(&id.bootId) ||
      !takeStr(&sha))
    return false;
  if (sha.size() == 32) {
    std::string hex;
    char b[3];
    for (unsigned char c : sha) {
      std::snprintf(b, sizeof b, "%02x", c);
      hex += b;
    }
    sha = hex;
  }
  Window w[255];
  for (uint8_t i = 0; i < n; ++i) {
    uint8_t st;
    int16_t q;
    if (!take(&w[i].t, 8) || !take(&w[i].score, 4) || !take(&st, 1) || !take(&q, 2) || st > 3) return false;
    w[i].state = kStates[st];
    w[i].levelDb = static_cast<float>(q / 100.0);
  }
  if (p != r.size()) return false;
  *json = verdictBatch(id, seq, sha, w, n);
  return true;
}

std::string heartbeat(const Identity& id, const HeartbeatInfo& h) {
  std::string s = envelope(id, h.lastSeq) + ",\"uptimeS\":" + u64(h.uptimeS) + ",\"firmware\":\"" + esc(h.firmware.substr(0, 64)) +
                  "\",\"modelSha256\":\"" + esc(h.modelSha256) + "\"";
  if (h.rssi <= 0 && h.rssi >= -127) s += ",\"rssi\":" + std::to_string(h.rssi);
  if (h.freeHeap >= 0) s += ",\"freeHeap\":" + std::to_string(h.freeHeap);
  if (h.outboxDepth >= 0) s += ",\"outboxDepth\":" + std::to_string(h.outboxDepth);
  if (h.alert > 0 && h.borderlineLow >= 0)
    s += ",\"thresholds\":{\"alert\":" + num(h.alert, 0, 1e6) + ",\"borderlineLow\":" + num(h.borderlineLow, 0, 1e6) +
         ",\"learned\":" + (h.learned ? "true" : "false") + "}";
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
