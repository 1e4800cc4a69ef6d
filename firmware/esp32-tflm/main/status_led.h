// One status LED: blink patterns per state, driven from a FreeRTOS timer.
//   learning: slow blink · normal: short flash every 3 s · watch: double flash ·
//   alarm: fast blink · offline (no Wi-Fi / cloud): long on, short off · provisioning: solid.
#pragma once
#include <cstdint>

namespace sc::port {

enum class LedPattern : uint8_t { Provisioning, Offline, Learning, Normal, Watch, Alarm };

void ledBegin(int gpio);
void ledSet(LedPattern p);

}  // namespace sc::port
