#include "improv.h"

#include <cstring>

namespace sc::improv {
namespace {
constexpr uint8_t kHeader[6] = {'I', 'M', 'P', 'R', 'O', 'V'};
constexpr uint8_t kVersion = 0x01;

// Splits [len][str][len][str]... into exactly `count` strings; false if the lengths do not add up.
bool splitStrings(const uint8_t* p, size_t n, size_t count, std::vector<std::string>* out) {
  size_t i = 0;
  for (size_t k = 0; k < count; ++k) {
    if (i >= n) return false;
    const size_t len = p[i++];
    if (i + len > n) return false;
    out->emplace_back(reinterpret_cast<const char*>(p + i), len);
    i += len;
  }
  return i == n;
}
}  // namespace

uint8_t checksum(const uint8_t* data, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += data[i];
  return static_cast<uint8_t>(sum & 0xFF);
}

std::vector<uint8_t> buildFrame(Type type, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> f(kHeader, kHeader + 6);
  f.push_back(kVersion);
  f.push_back(type);
  f.push_back(static_cast<uint8_t>(data.size()));
  f.insert(f.end(), data.begin(), data.end());
  f.push_back(checksum(f.data(), f.size()));
  return f;
}

std::vector<uint8_t> buildRpcResult(uint8_t command, const std::vector<std::string>& strings) {
  std::vector<uint8_t> body;
  for (const auto& s : strings) {
    const size_t len = s.size() > 255 ? 255 : s.size();
    body.push_back(static_cast<uint8_t>(len));
    body.insert(body.end(), s.begin(), s.begin() + static_cast<long>(len));
  }
  std::vector<uint8_t> out{command, static_cast<uint8_t>(body.size() > 253 ? 253 : body.size())};
  out.insert(out.end(), body.begin(), body.begin() + out[1]);
  return out;
}

bool validHostname(const std::string& h) {
  if (h.empty() || h.size() > 63 || h.front() == '-' || h.back() == '-') return false;
  for (char c : h)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

void Handler::setState(State s) {
  state_ = s;
  sendState();
}

void Handler::sendState() {
  auto f = buildFrame(kCurrentState, {state_});
  d_->write(f.data(), f.size());
}

void Handler::sendError(Error e) {
  auto f = buildFrame(kErrorState, {e});
  d_->write(f.data(), f.size());
}

void Handler::sendResult(uint8_t cmd, const std::vector<std::string>& strings) {
  auto f = buildFrame(kRpcResult, buildRpcResult(cmd, strings));
  d_->write(f.data(), f.size());
}

void Handler::feed(uint8_t byte, uint32_t nowMs) {
  if (pos_ > 0 && nowMs - lastByteMs_ > kFrameTimeoutMs) {
    ++rejected_;  // a frame cut short by the sender: drop it, start over
    pos_ = 0;
  }
  lastByteMs_ = nowMs;
  if (pos_ < 6) {
    if (byte == kHeader[pos_]) {
      buf_[pos_++] = byte;
    } else {
      pos_ = byte == kHeader[0] ? 1 : 0;  // log text: keep hunting for "IMPROV"
      if (pos_) buf_[0] = byte;
    }
    return;
  }
  buf_[pos_++] = byte;
  if (pos_ == 7 && byte != kVersion) {
    ++rejected_;
    pos_ = 0;
    return;
  }
  if (pos_ < 9) return;
  const size_t len = buf_[8];
  if (pos_ < 9 + len + 1) return;
  const uint8_t want = checksum(buf_, 9 + len);
  const uint8_t got = buf_[9 + len];
  const size_t frameLen = pos_;
  pos_ = 0;
  if (want != got) {
    ++rejected_;
    sendError(kInvalidRpc);
    return;
  }
  (void)frameLen;
  handleFrame();
}

void Handler::handleFrame() {
  const uint8_t type = buf_[7];
  const size_t len = buf_[8];
  if (type != kRpcCommand) return;  // state/error/result frames are device->client only
  handleRpc(buf_ + 9, len);
}

void Handler::handleRpc(const uint8_t* data, size_t n) {
  if (n < 2 || static_cast<size_t>(data[1]) + 2 != n) {
    sendError(kInvalidRpc);
    return;
  }
  const uint8_t cmd = data[0];
  const uint8_t* p = data + 2;
  const size_t plen = data[1];
  std::vector<std::string> s;
  switch (cmd) {
    case kWifiSettings: {
      if (!splitStrings(p, plen, 2, &s) || s[0].empty()) {
        sendError(kInvalidRpc);
        return;
      }
      state_ = kProvisioning;
      sendState();
      if (!d_->connectWifi(s[0], s[1])) {
        state_ = kReady;
        sendState();
        sendError(kUnableToConnect);
        return;
      }
      state_ = kProvisioned;
      sendError(kNoError);
      sendState();
      sendResult(cmd, {d_->redirectUrl()});
      return;
    }
    case kRequestState:
      sendState();
      if (state_ == kProvisioned) sendResult(kWifiSettings, {d_->redirectUrl()});
      return;
    case kDeviceInfo:
      sendResult(cmd, d_->deviceInfo());
      return;
    case kScan:
      for (const Network& net : d_->scan()) sendResult(cmd, {net.ssid, std::to_string(net.rssi), net.secured ? "YES" : "NO"});
      sendResult(cmd, {});
      return;
    case kHostname:
      if (plen > 0) {
        std::string h(reinterpret_cast<const char*>(p), plen);
        if (!validHostname(h)) {
          sendError(kBadHostname);
          return;
        }
        d_->setHostname(h);
      }
      sendResult(cmd, {d_->hostname()});
      return;
    case kDeviceName:
      if (plen > 0) d_->setDeviceName(std::string(reinterpret_cast<const char*>(p), plen));
      sendResult(cmd, {d_->deviceName()});
      return;
    case kNetworkState: {
      const uint8_t flags = d_->wifiConnected() ? 0x03 : 0x00;  // online | Wi-Fi
      sendResult(cmd, {std::to_string(flags)});
      return;
    }
    case kVendorCloud:
      if (!splitStrings(p, plen, 3, &s)) {
        s.clear();
        if (splitStrings(p, plen, 2, &s)) s.emplace_back();
        else s.clear();
      }
      if (s.size() != 3 || !d_->setCloud(s[0], s[1], s[2])) {
        sendError(kInvalidRpc);
        return;
      }
      sendError(kNoError);
      sendResult(cmd, {s[0]});
      return;
    default:
      sendError(kUnknownRpc);
  }
}

}  // namespace sc::improv
