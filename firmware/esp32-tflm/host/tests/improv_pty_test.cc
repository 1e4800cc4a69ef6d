// The host device provisioned over a real pseudo-terminal, the way the flasher's tests (and a
// browser over Web Serial) talk to an ESP32: boot log lines and Improv frames share the port.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "improv.h"
#include "json.h"

using namespace sc::improv;

namespace {
struct Frame {
  uint8_t type;
  std::vector<uint8_t> data;
};

// Reads from the master until `want` frames were parsed (log text in between is skipped).
std::vector<Frame> readFrames(int fd, size_t want, std::string* text, int timeoutMs = 5000) {
  std::vector<Frame> out;
  std::vector<uint8_t> buf;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    uint8_t b[512];
    ssize_t n = read(fd, b, sizeof b);
    if (n <= 0) break;
    buf.insert(buf.end(), b, b + n);
    while (true) {
      auto it = std::search(buf.begin(), buf.end(), "IMPROV", "IMPROV" + 6);
      if (text) text->append(buf.begin(), it);
      buf.erase(buf.begin(), it);
      if (buf.size() < 9 || buf.size() < 10u + buf[8]) break;
      const size_t len = buf[8];
      EXPECT_EQ(checksum(buf.data(), 9 + len), buf[9 + len]);
      out.push_back({buf[7], std::vector<uint8_t>(buf.begin() + 9, buf.begin() + 9 + len)});
      buf.erase(buf.begin(), buf.begin() + 10 + len);
    }
  }
  return out;
}

void send(int fd, uint8_t cmd, const std::vector<std::string>& strings) {
  std::vector<uint8_t> payload;
  for (auto& s : strings) {
    payload.push_back(static_cast<uint8_t>(s.size()));
    payload.insert(payload.end(), s.begin(), s.end());
  }
  std::vector<uint8_t> d{cmd, static_cast<uint8_t>(payload.size())};
  d.insert(d.end(), payload.begin(), payload.end());
  auto f = buildFrame(kRpcCommand, d);
  f.push_back('\n');
  ASSERT_EQ(write(fd, f.data(), f.size()), static_cast<ssize_t>(f.size()));
}
}  // namespace

TEST(ImprovPty, HostDeviceIsProvisionedOverAPseudoTerminal) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const std::string slave = ptsname(master);
  termios t;
  tcgetattr(master, &t);
  cfmakeraw(&t);
  tcsetattr(master, TCSANOW, &t);
  char dirTmpl[] = "/tmp/sc-improv-XXXXXX";
  const std::string settings = std::string(mkdtemp(dirTmpl)) + "/settings.json";

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    execl(SC_DEVICE_BIN, SC_DEVICE_BIN, "--improv", slave.c_str(), "--settings", settings.c_str(), "--exit-after-provision",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string text;
  auto fs = readFrames(master, 1, &text);
  ASSERT_EQ(fs.size(), 1u) << "no state frame from the device; got text: " << text;
  EXPECT_EQ(fs[0].type, kCurrentState);
  EXPECT_EQ(fs[0].data[0], kReady);

  send(master, kDeviceInfo, {});
  fs = readFrames(master, 1, &text);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].type, kRpcResult);
  EXPECT_EQ(fs[0].data[0], kDeviceInfo);

  send(master, kVendorCloud, {"http://127.0.0.1:8787", "sc_dev_token_123", "dev_pty_1"});
  fs = readFrames(master, 2, &text);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].type, kErrorState);
  EXPECT_EQ(fs[0].data[0], kNoError);

  send(master, kWifiSettings, {"Signalcraft-Lab", "correct horse"});
  fs = readFrames(master, 4, &text);
  ASSERT_EQ(fs.size(), 4u);
  EXPECT_EQ(fs[0].data[0], kProvisioning);
  EXPECT_EQ(fs[2].data[0], kProvisioned);
  ASSERT_EQ(fs[3].type, kRpcResult);
  const std::string redirect(fs[3].data.begin() + 3, fs[3].data.end());
  EXPECT_EQ(redirect, "http://127.0.0.1:8787/app/");
  EXPECT_NE(text.find("signalcraft: boot"), std::string::npos) << "log lines share the port";

  int status = 0;
  for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; ++i) usleep(100000);
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "device did not exit after provisioning";
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(master);
  auto j = sc::host::Json::parse(sc::host::readFile(settings));
  EXPECT_EQ(j["ssid"].string(), "Signalcraft-Lab");
  EXPECT_EQ(j["cloudUrl"].string(), "http://127.0.0.1:8787");
  EXPECT_EQ(j["token"].string(), "sc_dev_token_123");
  EXPECT_EQ(j["deviceId"].string(), "dev_pty_1");
}
