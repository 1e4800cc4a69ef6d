// Wi-Fi station: connect with a timeout (Improv needs a yes/no), reconnect with backoff after a
// drop, report RSSI, scan for Improv's network list.
#pragma once
#include <string>
#include <vector>

#include "esp_err.h"
#include "improv.h"

namespace sc::port {

esp_err_t wifiInit(const std::string& hostname);
// Blocks until an IP is obtained or timeoutMs passes.
bool wifiConnect(const std::string& ssid, const std::string& password, uint32_t timeoutMs);
bool wifiConnected();
int wifiRssi();  // 1 when unknown
std::vector<improv::Network> wifiScan();

}  // namespace sc::port
