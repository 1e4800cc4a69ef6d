// Improv serial: every standard command, the vendor cloud command, bad checksums, truncated
// frames, interleaved log lines, and byte-exact frames (checked against the spec's example).
#include <gtest/gtest.h>

#include "improv.h"

using namespace sc::improv;

namespace {
struct Frame {
  uint8_t type;
  std::vector<uint8_t> data;
};

class FakeDevice : public Delegate {
 public:
  std::vector<uint8_t> out;
  std::string ssid, password, host = "sc-0001", name = "Walk-in freezer", url, token, deviceId;
  bool acceptWifi = true, connected = false;
  bool connectWifi(const std::string& s, const std::string& p) override {
    ssid = s;
    password = p;
    connected = acceptWifi;
    return acceptWifi;
  }
  bool wifiConnected() override { return connected; }
  std::vector<Network> scan() override { return {{"Shop", -48, true}, {"Guest", -71, false}}; }
  std::vector<std::string> deviceInfo() override { return {"signalcraft", "0.1.0", "ESP32", name}; }
  std::string hostname() override { return host; }
  void setHostname(const std::string& h) override { host = h; }
  std::string deviceName() override { return name; }
  void setDeviceName(const std::string& n) override { name = n; }
  bool setCloud(const std::string& u, const std::string& t, const std::string& id) override {
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) return false;
    if (t.empty()) return false;
    url = u;
    token = t;
    if (!id.empty()) deviceId = id;
    return true;
  }
  std::string redirectUrl() override { return url.empty() ? "" : url + "/app/"; }
  void write(const uint8_t* d, size_t n) override { out.insert(out.end(), d, d + n); }

  // Decodes everything written so far, checking header, version and checksum of each frame.
  std::vector<Frame> frames() {
    std::vector<Frame> fs;
    size_t i = 0;
    while (i < out.size()) {
      EXPECT_GE(out.size() - i, 10u);
      EXPECT_EQ(std::string(out.begin() + i, out.begin() + i + 6), "IMPROV");
      EXPECT_EQ(out[i + 6], 1);
      const size_t len = out[i + 8];
      EXPECT_EQ(checksum(&out[i], 9 + len), out[i + 9 + len]);
      fs.push_back({out[i + 7], std::vector<uint8_t>(out.begin() + i + 9, out.begin() + i + 9 + len)});
      i += 10 + len;
    }
    out.clear();
    return fs;
  }
};

std::vector<uint8_t> rpc(uint8_t cmd, const std::vector<std::string>& strings) {
  std::vector<uint8_t> payload;
  for (auto& s : strings) {
    payload.push_back(static_cast<uint8_t>(s.size()));
    payload.insert(payload.end(), s.begin(), s.end());
  }
  std::vector<uint8_t> d{cmd, static_cast<uint8_t>(payload.size())};
  d.insert(d.end(), payload.begin(), payload.end());
  auto f = buildFrame(kRpcCommand, d);
  f.push_back('\n');  // the JS client appends a newline
  return f;
}

std::vector<std::string> resultStrings(const Frame& f) {
  std::vector<std::string> s;
  EXPECT_EQ(f.type, kRpcResult);
  EXPECT_EQ(f.data.size(), f.data[1] + 2u);
  for (size_t i = 2; i < f.data.size();) {
    size_t len = f.data[i++];
    s.emplace_back(f.data.begin() + i, f.data.begin() + i + len);
    i += len;
  }
  return s;
}
}  // namespace

TEST(Improv, SpecExampleWifiSettingsFrame) {
  // From the spec: 01 1E 0C "MyWirelessAP" 10 "mysecurepassword".
  auto f = rpc(kWifiSettings, {"MyWirelessAP", "mysecurepassword"});
  ASSERT_EQ(f[9], 0x01);
  ASSERT_EQ(f[10], 0x1E);
  ASSERT_EQ(f[11], 0x0C);
  EXPECT_EQ(f[8], 0x20);
}

TEST(Improv, ReadmeVendorExampleBytes) {
  auto f = rpc(kVendorCloud, {"https://c.example.com", "tok1"});
  EXPECT_EQ(f[9], 0xA0);
  EXPECT_EQ(f[10], 0x1B);
  EXPECT_EQ(f[11], 0x15);
  EXPECT_EQ(f.back(), '\n');
}

TEST(Improv, WifiSettingsProvisionsAndReportsRedirect) {
  FakeDevice dev;
  Handler h(&dev);
  h.feed(rpc(kVendorCloud, {"https://cloud.example", "tok123"}).data(), rpc(kVendorCloud, {"https://cloud.example", "tok123"}).size(), 0);
  dev.frames();
  auto in = rpc(kWifiSettings, {"Shop", "pa ss"});
  h.feed(in.data(), in.size(), 10);
  EXPECT_EQ(dev.ssid, "Shop");
  EXPECT_EQ(dev.password, "pa ss");
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 4u);
  EXPECT_EQ(fs[0].type, kCurrentState);
  EXPECT_EQ(fs[0].data[0], kProvisioning);
  EXPECT_EQ(fs[1].type, kErrorState);
  EXPECT_EQ(fs[1].data[0], kNoError);
  EXPECT_EQ(fs[2].data[0], kProvisioned);
  EXPECT_EQ(resultStrings(fs[3]), std::vector<std::string>{"https://cloud.example/app/"});
  EXPECT_EQ(h.state(), kProvisioned);
}

TEST(Improv, WifiFailureReportsUnableToConnect) {
  FakeDevice dev;
  dev.acceptWifi = false;
  Handler h(&dev);
  auto in = rpc(kWifiSettings, {"Shop", "wrong"});
  h.feed(in.data(), in.size(), 0);
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[1].data[0], kReady);
  EXPECT_EQ(fs[2].type, kErrorState);
  EXPECT_EQ(fs[2].data[0], kUnableToConnect);
  EXPECT_EQ(h.state(), kReady);
}

TEST(Improv, RequestStateDeviceInfoScanHostnameNameNetwork) {
  FakeDevice dev;
  Handler h(&dev);
  auto send = [&](uint8_t cmd, std::vector<std::string> s = {}) {
    auto in = rpc(cmd, s);
    h.feed(in.data(), in.size(), 0);
    return dev.frames();
  };
  auto fs = send(kRequestState);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].type, kCurrentState);
  EXPECT_EQ(fs[0].data[0], kReady);

  fs = send(kDeviceInfo);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(resultStrings(fs[0]), (std::vector<std::string>{"signalcraft", "0.1.0", "ESP32", "Walk-in freezer"}));

  fs = send(kScan);
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(resultStrings(fs[0]), (std::vector<std::string>{"Shop", "-48", "YES"}));
  EXPECT_EQ(resultStrings(fs[1]), (std::vector<std::string>{"Guest", "-71", "NO"}));
  EXPECT_TRUE(resultStrings(fs[2]).empty()) << "scan ends with an empty result";

  fs = send(kHostname);
  EXPECT_EQ(resultStrings(fs[0]), std::vector<std::string>{"sc-0001"});
  fs = send(kHostname, {});
  fs = send(kHostname);
  {
    // set: payload is the raw hostname (no inner length)
    std::vector<uint8_t> d{kHostname, 7, 'f', 'r', 'e', 'e', 'z', 'e', 'r'};
    auto f = buildFrame(kRpcCommand, d);
    h.feed(f.data(), f.size(), 0);
    fs = dev.frames();
    EXPECT_EQ(resultStrings(fs[0]), std::vector<std::string>{"freezer"});
    std::vector<uint8_t> bad{kHostname, 4, '-', 'b', 'a', 'd'};
    f = buildFrame(kRpcCommand, bad);
    h.feed(f.data(), f.size(), 0);
    fs = dev.frames();
    ASSERT_EQ(fs.size(), 1u);
    EXPECT_EQ(fs[0].type, kErrorState);
    EXPECT_EQ(fs[0].data[0], kBadHostname);
    EXPECT_EQ(dev.host, "freezer");
  }
  {
    std::string n = "냉동고 2";  // UTF-8 device names are fine
    std::vector<uint8_t> d{kDeviceName, static_cast<uint8_t>(n.size())};
    d.insert(d.end(), n.begin(), n.end());
    auto f = buildFrame(kRpcCommand, d);
    h.feed(f.data(), f.size(), 0);
    fs = dev.frames();
    EXPECT_EQ(resultStrings(fs[0]), std::vector<std::string>{n});
    EXPECT_EQ(dev.name, n);
  }
  fs = send(kNetworkState);
  EXPECT_EQ(resultStrings(fs[0]), std::vector<std::string>{"0"});
  dev.connected = true;
  fs = send(kNetworkState);
  EXPECT_EQ(resultStrings(fs[0]), std::vector<std::string>{"3"});
}

TEST(Improv, VendorCommandSetsCloudUrlAndToken) {
  FakeDevice dev;
  Handler h(&dev);
  auto in = rpc(kVendorCloud, {"http://127.0.0.1:8787", "sc_dev_abcdef"});
  h.feed(in.data(), in.size(), 0);
  EXPECT_EQ(dev.url, "http://127.0.0.1:8787");
  EXPECT_EQ(dev.token, "sc_dev_abcdef");
  EXPECT_EQ(dev.deviceId, "") << "two strings: no device id";
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].data[0], kNoError);
  EXPECT_EQ(resultStrings(fs[1]), std::vector<std::string>{"http://127.0.0.1:8787"});
  // Rejected by the device (not a URL) or malformed lengths -> invalid RPC, nothing stored.
  in = rpc(kVendorCloud, {"ftp://x", "t"});
  h.feed(in.data(), in.size(), 0);
  fs = dev.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].data[0], kInvalidRpc);
  std::vector<uint8_t> d{kVendorCloud, 5, 9, 'h', 't', 't', 'p'};  // inner length overruns
  auto f = buildFrame(kRpcCommand, d);
  h.feed(f.data(), f.size(), 0);
  fs = dev.frames();
  EXPECT_EQ(fs[0].data[0], kInvalidRpc);
  EXPECT_EQ(dev.url, "http://127.0.0.1:8787");
  // Optional third string: the device id the token belongs to.
  in = rpc(kVendorCloud, {"https://cloud.example", "tok2", "dev_3fa9c1d2e4b5"});
  h.feed(in.data(), in.size(), 0);
  fs = dev.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(dev.deviceId, "dev_3fa9c1d2e4b5");
  EXPECT_EQ(dev.token, "tok2");
}

TEST(Improv, UnknownCommandAndBadLengths) {
  FakeDevice dev;
  Handler h(&dev);
  auto f = buildFrame(kRpcCommand, {0x42, 0});
  h.feed(f.data(), f.size(), 0);
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].data[0], kUnknownRpc);
  f = buildFrame(kRpcCommand, {kDeviceInfo, 3});  // says 3 payload bytes, has none
  h.feed(f.data(), f.size(), 0);
  fs = dev.frames();
  EXPECT_EQ(fs[0].data[0], kInvalidRpc);
}

TEST(Improv, BadChecksumIsRejectedAndNextFrameStillWorks) {
  FakeDevice dev;
  Handler h(&dev);
  auto bad = rpc(kDeviceInfo, {});
  bad[bad.size() - 2] ^= 0xFF;  // checksum (before the trailing newline)
  h.feed(bad.data(), bad.size(), 0);
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].type, kErrorState);
  EXPECT_EQ(fs[0].data[0], kInvalidRpc);
  auto good = rpc(kDeviceInfo, {});
  h.feed(good.data(), good.size(), 1);
  fs = dev.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].type, kRpcResult);
}

TEST(Improv, TruncatedFrameIsAbandonedAfterSilence) {
  FakeDevice dev;
  Handler h(&dev);
  auto f = rpc(kWifiSettings, {"Shop", "secret"});
  h.feed(f.data(), f.size() / 2, 0);  // the cable was pulled mid-frame
  EXPECT_TRUE(dev.out.empty());
  auto good = rpc(kDeviceInfo, {});
  h.feed(good.data(), good.size(), 5000);
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].type, kRpcResult);
  EXPECT_EQ(h.framesRejected(), 1u);
  EXPECT_TRUE(dev.ssid.empty());
}

TEST(Improv, LogLinesInterleavedBetweenFramesAreIgnored) {
  FakeDevice dev;
  Handler h(&dev);
  std::string noise = "I (1234) wifi: IMPRO connecting...\nIMPROX\nIIIMPR\r\n";
  std::vector<uint8_t> stream(noise.begin(), noise.end());
  auto a = rpc(kDeviceInfo, {});
  stream.insert(stream.end(), a.begin(), a.end());
  stream.insert(stream.end(), noise.begin(), noise.end());
  auto b = rpc(kHostname, {});
  stream.insert(stream.end(), b.begin(), b.end());
  h.feed(stream.data(), stream.size(), 0);
  auto fs = dev.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].data[0], kDeviceInfo);
  EXPECT_EQ(fs[1].data[0], kHostname);
}

TEST(Improv, WrongVersionAndDeviceOnlyTypesAreIgnored) {
  FakeDevice dev;
  Handler h(&dev);
  auto f = rpc(kDeviceInfo, {});
  f[6] = 2;
  f[f.size() - 2] = checksum(f.data(), f.size() - 2);
  h.feed(f.data(), f.size(), 0);
  auto st = buildFrame(kCurrentState, {kReady});
  h.feed(st.data(), st.size(), 0);
  EXPECT_TRUE(dev.out.empty());
}
