// Improv Wi-Fi serial protocol (https://www.improv-wifi.com/serial/), device side, plus the
// Signalcraft vendor command 0xA0 that sets the cloud URL and device token.
//
// Frame: "IMPROV" | version 0x01 | type | length | data[length] | checksum (low byte of the sum of
// every preceding byte). Types: 0x01 current state, 0x02 error state, 0x03 RPC command,
// 0x04 RPC result. RPC command data: [command][len][payload]; result data:
// [command][total len]{[strlen][str]}*.
//
// The parser is fed one byte at a time from the console UART, so log lines may be interleaved:
// bytes that are not part of an "IMPROV" header are ignored, and a partial frame is abandoned
// after kFrameTimeoutMs of silence (a truncated frame never swallows the next one).
// This module only moves bytes; Wi-Fi, storage and the clock belong to the Delegate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sc::improv {

enum State : uint8_t { kStopped = 0x00, kAwaitingAuth = 0x01, kReady = 0x02, kProvisioning = 0x03, kProvisioned = 0x04 };
enum Error : uint8_t {
  kNoError = 0x00,
  kInvalidRpc = 0x01,
  kUnknownRpc = 0x02,
  kUnableToConnect = 0x03,
  kNotAuthorized = 0x04,
  kBadHostname = 0x05,
  kUnknownError = 0xFF
};
enum Type : uint8_t { kCurrentState = 0x01, kErrorState = 0x02, kRpcCommand = 0x03, kRpcResult = 0x04 };
enum Command : uint8_t {
  kWifiSettings = 0x01,
  kRequestState = 0x02,
  kDeviceInfo = 0x03,
  kScan = 0x04,
  kHostname = 0x05,
  kDeviceName = 0x06,
  kNetworkState = 0x07,
  kVendorCloud = 0xA0,  // Signalcraft: [urlLen][cloudUrl][tokenLen][deviceToken] ([idLen][deviceId] optional)
};

struct Network {
  std::string ssid;
  int rssi;
  bool secured;
};

class Delegate {
 public:
  virtual ~Delegate() = default;
  // Blocking connect attempt; true when associated and an IP was obtained.
  virtual bool connectWifi(const std::string& ssid, const std::string& password) = 0;
  virtual bool wifiConnected() = 0;
  virtual std::vector<Network> scan() = 0;
  virtual std::vector<std::string> deviceInfo() = 0;  // firmware, version, chip, device name
  virtual std::string hostname() = 0;
  virtual void setHostname(const std::string& h) = 0;
  virtual std::string deviceName() = 0;
  virtual void setDeviceName(const std::string& n) = 0;
  // Persist the cloud endpoint, token and (when sent, non-empty) the device id the token belongs
  // to; false if the values are unusable.
  virtual bool setCloud(const std::string& url, const std::string& token, const std::string& deviceId) = 0;
  virtual std::string redirectUrl() = 0;  // shown by the client after provisioning ("" = none)
  virtual void write(const uint8_t* data, size_t n) = 0;
};

uint8_t checksum(const uint8_t* data, size_t n);
// Whole frame with header and checksum.
std::vector<uint8_t> buildFrame(Type type, const std::vector<uint8_t>& data);
// RPC result payload: [command][total]{[len][str]}*.
std::vector<uint8_t> buildRpcResult(uint8_t command, const std::vector<std::string>& strings);
// RFC 1123 label: 1..63 of [A-Za-z0-9-], not starting or ending with '-'.
bool validHostname(const std::string& h);

class Handler {
 public:
  static constexpr uint32_t kFrameTimeoutMs = 1000;
  explicit Handler(Delegate* d) : d_(d) {}
  void feed(uint8_t byte, uint32_t nowMs);
  void feed(const uint8_t* data, size_t n, uint32_t nowMs) {
    for (size_t i = 0; i < n; ++i) feed(data[i], nowMs);
  }
  State state() const { return state_; }
  void setState(State s);  // e.g. provisioned at boot when Wi-Fi credentials exist
  uint32_t framesRejected() const { return rejected_; }

 private:
  void handleFrame();
  void handleRpc(const uint8_t* data, size_t n);
  void sendState();
  void sendError(Error e);
  void sendResult(uint8_t cmd, const std::vector<std::string>& strings);

  Delegate* d_;
  State state_ = kReady;
  uint8_t buf_[6 + 3 + 255 + 1];
  size_t pos_ = 0;
  uint32_t lastByteMs_ = 0;
  uint32_t rejected_ = 0;
};

}  // namespace sc::improv
