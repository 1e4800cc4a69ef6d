// Host stand-in for the ESP32's NVS: provisioning settings in a small JSON file, written
// atomically (temp + rename) so a kill mid-write leaves the old settings.
#pragma once
#include <string>

namespace sc::host {

struct Settings {
  std::string ssid, password, cloudUrl, token, hostname = "signalcraft", deviceName = "Signalcraft listener", deviceId;
};

Settings loadSettings(const std::string& path);  // defaults if the file does not exist
void saveSettings(const std::string& path, const Settings& s);  // throws on I/O failure

}  // namespace sc::host
