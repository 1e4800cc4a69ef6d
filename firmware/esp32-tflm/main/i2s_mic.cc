#include "i2s_mic.h"

#include "driver/i2s_std.h"
#include "esp_log.h"

namespace sc::port {
namespace {
const char* TAG = "i2s_mic";
}

esp_err_t I2sMic::begin(const I2sPins& pins, uint32_t sampleRate) {
  i2s_chan_config_t chan = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_AUTO, I2S_ROLE_MASTER);
  // 6 x 320 frames x 4 B = 7.5 KB of DMA: 120 ms of slack for the audio task.
  chan.dma_desc_num = 6;
  chan.dma_frame_num = 320;
  i2s_chan_handle_t rx = nullptr;
  esp_err_t err = i2s_new_channel(&chan, nullptr, &rx);
  if (err != ESP_OK) return err;

  i2s_std_config_t std = {
      .clk_cfg = I2S_STD_CLK_DEFAULT_CONFIG(sampleRate),
      .slot_cfg = I2S_STD_PHILIPS_SLOT_DEFAULT_CONFIG(I2S_DATA_BIT_WIDTH_32BIT, I2S_SLOT_MODE_MONO),
      .gpio_cfg =
          {
              .mclk = I2S_GPIO_UNUSED,
              .bclk = static_cast<gpio_num_t>(pins.bclk),
              .ws = static_cast<gpio_num_t>(pins.ws),
              .dout = I2S_GPIO_UNUSED,
              .din = static_cast<gpio_num_t>(pins.din),
              .invert_flags = {.mclk_inv = false, .bclk_inv = false, .ws_inv = false},
          },
  };
  // The MONO default selects the left slot on ESP32 but BOTH on S3/C3: pin it to LEFT (L/R = GND).
  std.slot_cfg.slot_mask = I2S_STD_SLOT_LEFT;
  err = i2s_channel_init_std_mode(rx, &std);
  if (err == ESP_OK) err = i2s_channel_enable(rx);
  if (err != ESP_OK) {
    i2s_del_channel(rx);
    return err;
  }
  rx_ = rx;
  ESP_LOGI(TAG, "I2S RX %lu Hz, 32-bit slots, left, BCLK %d WS %d DIN %d", static_cast<unsigned long>(sampleRate), pins.bclk,
           pins.ws, pins.din);
  return ESP_OK;
}

size_t I2sMic::read(int16_t* out, size_t maxSamples, uint32_t timeoutMs) {
  size_t want = maxSamples < 320 ? maxSamples : 320;
  size_t bytes = 0;
  if (i2s_channel_read(static_cast<i2s_chan_handle_t>(rx_), raw_, want * sizeof(int32_t), &bytes, timeoutMs) != ESP_OK) return 0;
  const size_t n = bytes / sizeof(int32_t);
  // 24-bit sample MSB-aligned in the 32-bit slot (bits 31..8): >> 16 keeps its top 16 bits.
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(raw_[i] >> 16);
  return n;
}

}  // namespace sc::port
