#include "wifi_sta.h"

#include <algorithm>
#include <cstring>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"

namespace sc::port {
namespace {
const char* TAG = "wifi";
EventGroupHandle_t gEvents = nullptr;
constexpr EventBits_t kGotIp = BIT0;
constexpr EventBits_t kFailed = BIT1;
bool gWantConnected = false;
int gRetries = 0;

void onEvent(void*, esp_event_base_t base, int32_t id, void* data) {
  if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
    xEventGroupClearBits(gEvents, kGotIp);
    if (gWantConnected) {
      // Reconnect forever in the background; the first attempts report failure to a waiter.
      if (++gRetries >= 5) xEventGroupSetBits(gEvents, kFailed);
      esp_wifi_connect();
    }
  } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
    auto* ev = static_cast<ip_event_got_ip_t*>(data);
    ESP_LOGI(TAG, "got ip " IPSTR, IP2STR(&ev->ip_info.ip));
    gRetries = 0;
    xEventGroupSetBits(gEvents, kGotIp);
  }
}
}  // namespace

esp_err_t wifiInit(const std::string& hostname) {
  gEvents = xEventGroupCreate();
  ESP_ERROR_CHECK(esp_netif_init());
  ESP_ERROR_CHECK(esp_event_loop_create_default());
  esp_netif_t* netif = esp_netif_create_default_wifi_sta();
  esp_netif_set_hostname(netif, hostname.c_str());
  wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
  ESP_ERROR_CHECK(esp_wifi_init(&cfg));
  ESP_ERROR_CHECK(esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, &onEvent, nullptr, nullptr));
  ESP_ERROR_CHECK(esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_GOT_IP, &onEvent, nullptr, nullptr));
  ESP_ERROR_CHECK(esp_wifi_set_storage(WIFI_STORAGE_RAM));  // credentials live in our NVS namespace
  ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
  return esp_wifi_start();
}

bool wifiConnect(const std::string& ssid, const std::string& password, uint32_t timeoutMs) {
  wifi_config_t wc = {};
  // Fixed-size fields, NUL-terminated only when shorter (a 32-byte SSID fills the field).
  std::memcpy(wc.sta.ssid, ssid.data(), std::min(ssid.size(), sizeof(wc.sta.ssid)));
  std::memcpy(wc.sta.password, password.data(), std::min(password.size(), sizeof(wc.sta.password)));
  wc.sta.threshold.authmode = password.empty() ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA2_PSK;
  wc.sta.pmf_cfg.capable = true;
  gWantConnected = false;
  esp_wifi_disconnect();
  xEventGroupClearBits(gEvents, kGotIp | kFailed);
  gRetries = 0;
  if (esp_wifi_set_config(WIFI_IF_STA, &wc) != ESP_OK) return false;
  gWantConnected = true;
  esp_wifi_connect();
  const EventBits_t bits = xEventGroupWaitBits(gEvents, kGotIp | kFailed, pdFALSE, pdFALSE, pdMS_TO_TICKS(timeoutMs));
  return (bits & kGotIp) != 0;
}

bool wifiConnected() { return gEvents && (xEventGroupGetBits(gEvents) & kGotIp); }

int wifiRssi() {
  wifi_ap_record_t ap;
  return esp_wifi_sta_get_ap_info(&ap) == ESP_OK ? ap.rssi : 1;
}

std::vector<improv::Network> wifiScan() {
  std::vector<improv::Network> out;
  if (esp_wifi_scan_start(nullptr, true) != ESP_OK) return out;
  uint16_t n = 20;
  wifi_ap_record_t recs[20];
  if (esp_wifi_scan_get_ap_records(&n, recs) != ESP_OK) return out;
  for (uint16_t i = 0; i < n; ++i)
    out.push_back({reinterpret_cast<const char*>(recs[i].ssid), recs[i].rssi, recs[i].authmode != WIFI_AUTH_OPEN});
  return out;
}

}  // namespace sc::port
