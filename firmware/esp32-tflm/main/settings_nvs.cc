#include "settings_nvs.h"

#include "nvs.h"
#include "nvs_flash.h"

namespace sc::port {
namespace {
constexpr const char* kNs = "signalcraft";

std::string getStr(nvs_handle_t h, const char* key, const std::string& def) {
  size_t len = 0;
  if (nvs_get_str(h, key, nullptr, &len) != ESP_OK || len == 0) return def;
  std::string v(len, '\0');
  if (nvs_get_str(h, key, &v[0], &len) != ESP_OK) return def;
  v.resize(len - 1);  // drop the NUL
  return v;
}
}  // namespace

esp_err_t settingsInit() {
  esp_err_t err = nvs_flash_init();
  if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
    ESP_ERROR_CHECK(nvs_flash_erase());
    err = nvs_flash_init();
  }
  return err;
}

DeviceSettings loadSettings() {
  DeviceSettings s;
  nvs_handle_t h;
  if (nvs_open(kNs, NVS_READONLY, &h) != ESP_OK) return s;
  s.ssid = getStr(h, "ssid", "");
  s.password = getStr(h, "password", "");
  s.cloudUrl = getStr(h, "cloud_url", "");
  s.token = getStr(h, "token", "");
  s.deviceId = getStr(h, "device_id", "");
  s.hostname = getStr(h, "hostname", s.hostname);
  s.deviceName = getStr(h, "device_name", s.deviceName);
  nvs_close(h);
  return s;
}

esp_err_t saveSettings(const DeviceSettings& s) {
  nvs_handle_t h;
  esp_err_t err = nvs_open(kNs, NVS_READWRITE, &h);
  if (err != ESP_OK) return err;
  const std::pair<const char*, const std::string*> kv[] = {
      {"ssid", &s.ssid},           {"password", &s.password},   {"cloud_url", &s.cloudUrl},      {"token", &s.token},
      {"device_id", &s.deviceId}, {"hostname", &s.hostname}, {"device_name", &s.deviceName}};
  for (const auto& p : kv)
    if ((err = nvs_set_str(h, p.first, p.second->c_str())) != ESP_OK) break;
  if (err == ESP_OK) err = nvs_commit(h);
  nvs_close(h);
  return err;
}

bool loadBaseline(BaselineRecord* r) {
  nvs_handle_t h;
  if (nvs_open(kNs, NVS_READONLY, &h) != ESP_OK) return false;
  size_t len = sizeof(*r);
  const bool ok = nvs_get_blob(h, "baseline", r, &len) == ESP_OK && len == sizeof(*r);
  nvs_close(h);
  return ok;
}

esp_err_t saveBaseline(const BaselineRecord& r) {
  nvs_handle_t h;
  esp_err_t err = nvs_open(kNs, NVS_READWRITE, &h);
  if (err != ESP_OK) return err;
  err = nvs_set_blob(h, "baseline", &r, sizeof(r));
  if (err == ESP_OK) err = nvs_commit(h);
  nvs_close(h);
  return err;
}

}  // namespace sc::port
