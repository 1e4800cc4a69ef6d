// Device settings in NVS (namespace "signalcraft"): Wi-Fi credentials, cloud URL, device token,
// device id, hostname and name — what Improv (and the 0xA0 vendor command) provisions — plus the
// learned baseline and the active model slot. NVS commits are atomic per key.
#pragma once
#include <string>

#include "esp_err.h"
#include "verdict_fsm.h"

namespace sc::port {

struct DeviceSettings {
  std::string ssid, password, cloudUrl, token, deviceId, hostname = "signalcraft", deviceName = "Signalcraft listener";
};

esp_err_t settingsInit();  // nvs_flash_init, erasing on a version/layout change
DeviceSettings loadSettings();
esp_err_t saveSettings(const DeviceSettings& s);
bool loadBaseline(BaselineRecord* r);
esp_err_t saveBaseline(const BaselineRecord& r);

}  // namespace sc::port
