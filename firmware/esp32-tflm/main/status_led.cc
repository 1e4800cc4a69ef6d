#include "status_led.h"

#include <atomic>

#include "driver/gpio.h"
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"

namespace sc::port {
namespace {
int gPin = -1;
std::atomic<LedPattern> gPattern{LedPattern::Provisioning};
uint32_t gTick = 0;  // 100 ms ticks

// On/off for tick t (of a 3 s = 30-tick cycle).
bool lit(LedPattern p, uint32_t t) {
  const uint32_t c = t % 30;
  switch (p) {
    case LedPattern::Provisioning: return true;
    case LedPattern::Offline: return c % 10 < 8;
    case LedPattern::Learning: return c % 20 < 10;
    case LedPattern::Normal: return c == 0;
    case LedPattern::Watch: return c == 0 || c == 3;
    case LedPattern::Alarm: return c % 2 == 0;
  }
  return false;
}

void onTimer(TimerHandle_t) {
  if (gPin >= 0) gpio_set_level(static_cast<gpio_num_t>(gPin), lit(gPattern.load(), gTick++) ? 1 : 0);
}
}  // namespace

void ledBegin(int gpio) {
  gPin = gpio;
  gpio_reset_pin(static_cast<gpio_num_t>(gpio));
  gpio_set_direction(static_cast<gpio_num_t>(gpio), GPIO_MODE_OUTPUT);
  TimerHandle_t t = xTimerCreate("led", pdMS_TO_TICKS(100), pdTRUE, nullptr, onTimer);
  if (t) xTimerStart(t, 0);
}

void ledSet(LedPattern p) { gPattern.store(p); }

}  // namespace sc::port
