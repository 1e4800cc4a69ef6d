// Improv over a serial device, a pty or stdio for the host device: the flasher's tests provision
// it exactly as they would an ESP32. Wi-Fi is simulated: any SSID connects unless the SSID is
// "unreachable" or the password is 1-7 characters (not a valid WPA2 passphrase).
#pragma once
#include <string>

namespace sc::host {

// Runs until the peer closes the port (EOF/HUP), SIGTERM/SIGINT, or — with exitAfterProvision —
// right after a successful Wi-Fi provisioning. Returns the process exit code.
int runImprov(const std::string& portPath /* "" = stdin/stdout */, const std::string& settingsPath, bool exitAfterProvision);

}  // namespace sc::host
