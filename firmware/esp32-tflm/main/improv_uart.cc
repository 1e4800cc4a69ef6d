#include "improv_uart.h"

#include "driver/uart.h"
#include "esp_app_desc.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "improv.h"
#include "settings_nvs.h"
#include "wifi_sta.h"

namespace sc::port {
namespace {
const char* TAG = "improv";
constexpr uart_port_t kPort = UART_NUM_0;

class UartDelegate : public improv::Delegate {
 public:
  explicit UartDelegate(SemaphoreHandle_t done) : done_(done), s_(loadSettings()) {}
  bool connectWifi(const std::string& ssid, const std::string& pw) override {
    if (!wifiConnect(ssid, pw, 20000)) return false;
    s_.ssid = ssid;
    s_.password = pw;
    saveSettings(s_);
    if (done_) xSemaphoreGive(done_);
    return true;
  }
  bool wifiConnected() override { return sc::port::wifiConnected(); }
  std::vector<improv::Network> scan() override { return wifiScan(); }
  std::vector<std::string> deviceInfo() override {
    const esp_app_desc_t* app = esp_app_get_description();
    return {"signalcraft", app->version, CONFIG_IDF_TARGET, s_.deviceName};
  }
  std::string hostname() override { return s_.hostname; }
  void setHostname(const std::string& h) override {
    s_.hostname = h;
    saveSettings(s_);
  }
  std::string deviceName() override { return s_.deviceName; }
  void setDeviceName(const std::string& n) override {
    s_.deviceName = n;
    saveSettings(s_);
  }
  bool setCloud(const std::string& url, const std::string& token, const std::string& deviceId) override {
    // Devices only talk HTTPS; a plain-http URL is accepted only for a lab cloud on the LAN.
    if ((url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) || token.empty()) return false;
    s_.cloudUrl = url;
    s_.token = token;
    if (!deviceId.empty()) s_.deviceId = deviceId;
    return saveSettings(s_) == ESP_OK;
  }
  std::string redirectUrl() override { return s_.cloudUrl.empty() ? "" : s_.cloudUrl + "/app/"; }
  void write(const uint8_t* d, size_t n) override { uart_write_bytes(kPort, d, n); }
  bool provisioned() const { return !s_.ssid.empty(); }

 private:
  SemaphoreHandle_t done_;
  DeviceSettings s_;
};

void improvTask(void* arg) {
  UartDelegate dev(static_cast<SemaphoreHandle_t>(arg));
  improv::Handler handler(&dev);
  handler.setState(dev.provisioned() ? improv::kProvisioned : improv::kReady);
  uint8_t buf[64];
  while (true) {
    const int n = uart_read_bytes(kPort, buf, sizeof buf, pdMS_TO_TICKS(200));
    if (n > 0) handler.feed(buf, static_cast<size_t>(n), static_cast<uint32_t>(esp_timer_get_time() / 1000));
  }
}
}  // namespace

void improvStart(void* provisioned) {
  if (!uart_is_driver_installed(kPort)) ESP_ERROR_CHECK(uart_driver_install(kPort, 512, 512, 0, nullptr, 0));
  ESP_LOGI(TAG, "Improv serial on UART0");
  xTaskCreate(improvTask, "improv", 6144, provisioned, 3, nullptr);
}

}  // namespace sc::port
