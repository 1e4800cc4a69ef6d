#include "improv_host.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "improv.h"
#include "settings.h"

namespace sc::host {
namespace {
volatile sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

uint32_t nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint32_t>(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

class HostDelegate : public improv::Delegate {
 public:
  HostDelegate(int outFd, std::string settingsPath) : fd_(outFd), path_(std::move(settingsPath)), s_(loadSettings(path_)) {}
  bool connectWifi(const std::string& ssid, const std::string& pw) override {
    log("wifi: connecting to '" + ssid + "'");
    if (ssid == "unreachable" || (!pw.empty() && pw.size() < 8)) {
      log("wifi: connection failed");
      return false;
    }
    s_.ssid = ssid;
    s_.password = pw;
    save();
    connected_ = true;
    provisioned = true;
    return true;
  }
  bool wifiConnected() override { return connected_; }
  std::vector<improv::Network> scan() override { return {{"Signalcraft-Lab", -42, true}, {"Cafe Guest", -77, false}}; }
  std::vector<std::string> deviceInfo() override { return {"signalcraft", "0.1.0", "host", s_.deviceName}; }
  std::string hostname() override { return s_.hostname; }
  void setHostname(const std::string& h) override {
    s_.hostname = h;
    save();
  }
  std::string deviceName() override { return s_.deviceName; }
  void setDeviceName(const std::string& n) override {
    s_.deviceName = n;
    save();
  }
  bool setCloud(const std::string& url, const std::string& token, const std::string& deviceId) override {
    const bool okUrl = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
    if (!okUrl || token.empty() || token.size() > 200) {
      log("cloud: rejected settings (url must be http(s)://..., token non-empty)");
      return false;
    }
    s_.cloudUrl = url;
    s_.token = token;
    if (!deviceId.empty()) s_.deviceId = deviceId;
    save();
    log("cloud: url set to " + url);
    return true;
  }
  std::string redirectUrl() override { return s_.cloudUrl.empty() ? "" : s_.cloudUrl + "/app/"; }
  void write(const uint8_t* d, size_t n) override {
    while (n > 0) {
      ssize_t w = ::write(fd_, d, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;
      d += w;
      n -= static_cast<size_t>(w);
    }
  }
  // Log lines share the port, as ESP-IDF's console does; the Improv client skips them.
  void log(const std::string& line) {
    const std::string l = "I (" + std::to_string(nowMs()) + ") signalcraft: " + line + "\r\n";
    write(reinterpret_cast<const uint8_t*>(l.data()), l.size());
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  bool provisioned = false;
  const Settings& settings() const { return s_; }

 private:
  void save() { saveSettings(path_, s_); }
  int fd_;
  std::string path_;
  Settings s_;
  bool connected_ = false;
};
}  // namespace

int runImprov(const std::string& portPath, const std::string& settingsPath, bool exitAfterProvision) {
  int inFd = 0, outFd = 1;
  if (!portPath.empty()) {
    inFd = outFd = ::open(portPath.c_str(), O_RDWR | O_NOCTTY);
    if (inFd < 0) {
      std::fprintf(stderr, "signalcraft-device: cannot open %s: %s\n", portPath.c_str(), std::strerror(errno));
      return 2;
    }
    termios t;
    if (tcgetattr(inFd, &t) == 0) {
      cfmakeraw(&t);
      cfsetispeed(&t, B115200);
      cfsetospeed(&t, B115200);
      tcsetattr(inFd, TCSANOW, &t);
    }
  }
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::signal(SIGPIPE, SIG_IGN);
  HostDelegate dev(outFd, settingsPath);
  improv::Handler handler(&dev);
  dev.log("boot: improv serial ready");
  if (!dev.settings().ssid.empty()) {
    dev.provisioned = true;
    handler.setState(improv::kProvisioned);
  } else {
    handler.setState(improv::kReady);
  }
  bool wasProvisioned = dev.provisioned;
  uint8_t buf[256];
  while (!gStop) {
    pollfd p{inFd, POLLIN, 0};
    const int pr = ::poll(&p, 1, 200);
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) continue;
    if (p.revents & (POLLHUP | POLLERR) && !(p.revents & POLLIN)) break;
    ssize_t n = ::read(inFd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    handler.feed(buf, static_cast<size_t>(n), nowMs());
    if (exitAfterProvision && dev.provisioned && !wasProvisioned) break;
    wasProvisioned = dev.provisioned;
  }
  if (!portPath.empty()) ::close(inFd);
  return 0;
}

}  // namespace sc::host
