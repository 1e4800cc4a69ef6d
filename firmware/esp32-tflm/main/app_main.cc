// Signalcraft listener: wiring only. The decisions live in the portable core (../core), which
// the host build tests; this file connects it to I2S, Wi-Fi, NVS, LittleFS, TFLM and HTTPS.
//
// Tasks: audio (core 1, high priority: I2S -> DevicePipeline -> outbox), net (core 0: outbox ->
// cloud, heartbeat/config, model and firmware OTA), improv (UART0). The audio and net tasks are
// subscribed to the task watchdog; a stalled one reboots the device.
#include <sys/time.h>

#include "cloud_link.h"
#include "device_pipeline.h"
#include "esp_app_desc.h"
#include "esp_crt_bundle.h"
#include "esp_https_ota.h"
#include "esp_littlefs.h"
#include "esp_log.h"
#include "esp_netif_sntp.h"
#include "esp_ota_ops.h"
#include "esp_random.h"
#include "esp_system.h"
#include "esp_task_wdt.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "i2s_mic.h"
#include "improv_uart.h"
#include "model_check.h"
#include "model_config.h"
#include "model_store.h"
#include "outbox.h"
#include "settings_nvs.h"
#include "status_led.h"
#include "tflm_runner.h"
#include "wifi_sta.h"

esp_err_t signalcraftFirmwareUpdate(const char* url);

namespace {
using namespace sc;
const char* TAG = "signalcraft";

// Board wiring (README "Wiring"): INMP441 SCK->GPIO26, WS->GPIO25, SD->GPIO33, L/R->GND; LED GPIO2.
constexpr port::I2sPins kMicPins{26, 25, 33};
constexpr int kLedGpio = 2;
constexpr size_t kArenaMarginBytes = 2048;  // TFLM bookkeeping beyond the card's arenaBytes

SemaphoreHandle_t gOutboxMutex;
PosixFileStorage gStorage;
Outbox gOutbox;
DevicePipeline gPipeline;
port::I2sMic gMic;
port::CloudLink gCloud;
port::DeviceSettings gSettings;
port::ActiveModel gModel;
protocol::Identity gIdentity;
volatile bool gModelConfirmed = false;

uint64_t nowMs() {
  timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<uint64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

port::LedPattern ledFor(DeviceState s) {
  switch (s) {
    case DeviceState::Learning: return port::LedPattern::Learning;
    case DeviceState::Watch: return port::LedPattern::Watch;
    case DeviceState::Alarm: return port::LedPattern::Alarm;
    default: return port::LedPattern::Normal;
  }
}

void audioTask(void*) {
  ESP_ERROR_CHECK(esp_task_wdt_add(nullptr));
  static int16_t buf[320];  // 20 ms
  bool learned = gPipeline.fsm().learned();
  uint32_t windowsAtStart = gPipeline.windowsSeen();
  // Measured CPU share of the decision path (README "On-device budget"): busy time in pushPcm
  // over wall time, logged every minute.
  int64_t busyUs = 0, periodStart = esp_timer_get_time();
  while (true) {
    const size_t n = gMic.read(buf, 320, 100);
    if (n) {
      const int64_t t0 = esp_timer_get_time();
      xSemaphoreTake(gOutboxMutex, portMAX_DELAY);
      const Status s = gPipeline.pushPcm(buf, n);
      xSemaphoreGive(gOutboxMutex);
      busyUs += esp_timer_get_time() - t0;
      if (!s.ok) ESP_LOGE(TAG, "outbox: %s", s.message);
    }
    if (esp_timer_get_time() - periodStart > 60 * 1000000LL) {
      ESP_LOGI(TAG, "audio pipeline CPU %.2f%% of one core, free heap %u B, min free %u B",
               100.0 * busyUs / (esp_timer_get_time() - periodStart), static_cast<unsigned>(esp_get_free_heap_size()),
               static_cast<unsigned>(esp_get_minimum_free_heap_size()));
      busyUs = 0;
      periodStart = esp_timer_get_time();
    }
    esp_task_wdt_reset();
    if (!port::wifiConnected()) port::ledSet(port::LedPattern::Offline);
    else port::ledSet(ledFor(gPipeline.fsm().state()));
    if (!learned && gPipeline.fsm().learned()) {
      learned = true;
      port::saveBaseline(gPipeline.fsm().baseline());
      ESP_LOGI(TAG, "baseline learned: alert %.4f", gPipeline.fsm().alert());
    }
    // A model on trial is confirmed once it has scored a minute of audio without failing.
    if (gModel.trial && !gModelConfirmed && gPipeline.windowsSeen() - windowsAtStart > 60) {
      port::modelStoreConfirm();
      gModelConfirmed = true;
    }
  }
}

void netTask(void*) {
  ESP_ERROR_CHECK(esp_task_wdt_add(nullptr));
  uint64_t lastHeartbeat = 0;
  int backoffS = 1;
  uint64_t nextTry = 0;
  bool appConfirmed = false;
  port::CloudConfig cfg;
  while (true) {
    esp_task_wdt_reset();
    vTaskDelay(pdMS_TO_TICKS(1000));
    if (!port::wifiConnected() || gCloud.unauthorized()) continue;
    const uint64_t now = nowMs();
    if (now < nextTry) continue;
    esp_task_wdt_reset();
    const bool ok = gCloud.drain(gOutbox, gOutboxMutex, now);
    nextTry = ok ? 0 : now + static_cast<uint64_t>(backoffS) * 1000;
    backoffS = ok ? 1 : (backoffS < 300 ? backoffS * 2 : 300);
    if (ok && !appConfirmed) {
      // This firmware reached the cloud: keep it (cancels the bootloader's OTA rollback).
      esp_ota_mark_app_valid_cancel_rollback();
      appConfirmed = true;
    }
    if (now - lastHeartbeat >= static_cast<uint64_t>(cfg.cadenceS) * 1000) {
      lastHeartbeat = now;
      xSemaphoreTake(gOutboxMutex, portMAX_DELAY);
      const size_t depth = gOutbox.stats().pending;
      const uint32_t seq = gPipeline.lastSeq();
      xSemaphoreGive(gOutboxMutex);
      protocol::HeartbeatInfo hb{static_cast<uint32_t>(esp_timer_get_time() / 1000000), esp_app_get_description()->version,
                                 gModel.sha256, port::wifiRssi(), static_cast<int64_t>(esp_get_free_heap_size()),
                                 static_cast<int64_t>(depth), seq};
      xSemaphoreTake(gOutboxMutex, portMAX_DELAY);
      hb.alert = gPipeline.fsm().alert();
      hb.borderlineLow = gPipeline.fsm().borderlineLow();
      hb.learned = gPipeline.fsm().learned();
      xSemaphoreGive(gOutboxMutex);
      esp_task_wdt_reset();
      if (gCloud.heartbeat(protocol::heartbeat(gIdentity, hb), &cfg) && cfg.valid && !cfg.modelSha256.empty() &&
          cfg.modelSha256 != gModel.sha256) {
        ESP_LOGI(TAG, "cloud announces model %s (%.12s…): downloading", cfg.modelName.c_str(), cfg.modelSha256.c_str());
        ESP_ERROR_CHECK(esp_task_wdt_delete(nullptr));  // a download may take longer than the watchdog
        const std::string url = cfg.modelUrl.rfind("http", 0) == 0 ? cfg.modelUrl : gCloud.baseUrl() + cfg.modelUrl;
        const esp_err_t err = port::modelStoreDownload(url, gCloud.token(), cfg.modelSha256);
        if (err == ESP_OK) {
          ESP_LOGI(TAG, "new model stored; restarting to load it");
          xSemaphoreTake(gOutboxMutex, portMAX_DELAY);
          gPipeline.flush();
          esp_restart();
        }
        ESP_LOGE(TAG, "model download failed: %s", esp_err_to_name(err));
        ESP_ERROR_CHECK(esp_task_wdt_add(nullptr));
      }
      if (cfg.valid && !cfg.firmwareUrl.empty() && cfg.firmwareVersion != esp_app_get_description()->version) {
        ESP_LOGI(TAG, "firmware %s announced: updating", cfg.firmwareVersion.c_str());
        ESP_ERROR_CHECK(esp_task_wdt_delete(nullptr));
        xSemaphoreTake(gOutboxMutex, portMAX_DELAY);
        gPipeline.flush();  // the partial batch goes to flash before the reboot
        xSemaphoreGive(gOutboxMutex);
        const std::string url = cfg.firmwareUrl.rfind("http", 0) == 0 ? cfg.firmwareUrl : gCloud.baseUrl() + cfg.firmwareUrl;
        ESP_LOGE(TAG, "firmware update failed: %s", esp_err_to_name(signalcraftFirmwareUpdate(url.c_str())));
        cfg.firmwareUrl.clear();  // do not retry every heartbeat; the next config brings it back
        ESP_ERROR_CHECK(esp_task_wdt_add(nullptr));
      }
    }
  }
}

bool loadModel(port::TflmRunner& runner) {
  const ModelConfig& cfg = generated::kModelConfig;
  Status s = runner.load(gModel.data, gModel.length);
  if (s.ok)
    s = gModel.fromPartition ? checkTensorsAgainstConfig(runner, cfg) : checkModelAgainstConfig(gModel.data, gModel.length, runner, cfg);
  if (!s.ok) ESP_LOGE(TAG, "model %.12s… rejected: %s", gModel.sha256.c_str(), s.message);
  return s.ok;
}
}  // namespace

using namespace sc;

// Firmware OTA (esp_https_ota, HTTPS with the certificate bundle). The new image boots on trial
// and is kept only once it reaches the cloud (esp_ota_mark_app_valid_cancel_rollback above).
esp_err_t signalcraftFirmwareUpdate(const char* url) {
  esp_http_client_config_t http = {};
  http.url = url;
  http.crt_bundle_attach = esp_crt_bundle_attach;
  http.timeout_ms = 30000;
  esp_https_ota_config_t ota = {};
  ota.http_config = &http;
  const esp_err_t err = esp_https_ota(&ota);
  if (err == ESP_OK) esp_restart();
  return err;
}

extern "C" void app_main() {
  const ModelConfig& cfg = generated::kModelConfig;
  ESP_ERROR_CHECK(port::settingsInit());
  port::ledBegin(kLedGpio);
  gSettings = port::loadSettings();
  ESP_ERROR_CHECK(port::wifiInit(gSettings.hostname));

  SemaphoreHandle_t provisioned = xSemaphoreCreateBinary();
  port::improvStart(provisioned);
  if (gSettings.ssid.empty() || gSettings.cloudUrl.empty()) {
    port::ledSet(port::LedPattern::Provisioning);
    ESP_LOGI(TAG, "not provisioned: waiting for Improv (Wi-Fi + 0xA0 cloud URL/token)");
    while (gSettings.ssid.empty() || gSettings.cloudUrl.empty()) {
      xSemaphoreTake(provisioned, pdMS_TO_TICKS(1000));
      gSettings = port::loadSettings();
    }
  } else if (!port::wifiConnect(gSettings.ssid, gSettings.password, 15000)) {
    ESP_LOGW(TAG, "Wi-Fi not up yet; audio starts anyway and the outbox holds the verdicts");
  }
  esp_sntp_config_t sntp = ESP_NETIF_SNTP_DEFAULT_CONFIG("pool.ntp.org");
  esp_netif_sntp_init(&sntp);
  esp_netif_sntp_sync_wait(pdMS_TO_TICKS(10000));

  esp_vfs_littlefs_conf_t fs = {};
  fs.base_path = "/outbox";
  fs.partition_label = "outbox";
  fs.format_if_mount_failed = true;
  ESP_ERROR_CHECK(esp_vfs_littlefs_register(&fs));
  Status s = gStorage.open("/outbox/outbox.log", true);
  OutboxLimits limits;
  // 896 KB volume: the log may reach compactAtBytes while compaction writes up to maxPending more.
  // At the card's 10 s cadence a one-minute compact batch of 6 windows is ~190 B with its record:
  // 320 KB holds ~29 h of verdicts offline (less while clips, ~44 KB each and dropped first, wait).
  limits.maxPendingBytes = 320 * 1024;
  limits.compactAtBytes = 448 * 1024;
  if (s.ok) s = gOutbox.open(&gStorage, limits);
  if (!s.ok) ESP_LOGE(TAG, "outbox: %s", s.message);
  ESP_LOGI(TAG, "outbox: %u pending messages", static_cast<unsigned>(gOutbox.stats().pending));

  port::modelStoreInit();
  gModel = port::modelStoreActive(generated::kModelData, generated::kModelDataLen, cfg.modelSha256);
  static port::TflmRunner runner(cfg.arenaBytes + kArenaMarginBytes);
  if (!loadModel(runner)) {
    if (gModel.fromPartition) {
      port::modelStoreRollback();  // the downloaded model does not load: back to the previous one
      esp_restart();
    }
    ESP_LOGE(TAG, "the built-in model does not match its header: halting");
    vTaskDelay(portMAX_DELAY);
  }

  gIdentity.deviceId = gSettings.deviceId.empty() ? gSettings.hostname : gSettings.deviceId;
  gIdentity.bootId = protocol::bootIdFromRandom((static_cast<uint64_t>(esp_random()) << 32) | esp_random());
  DeviceOptions opt;
  opt.identity = gIdentity;
  // Report at the card's cadence (one window per reportingCadenceS), batches of 6 = one a minute.
  const float windowS = static_cast<float>(cfg.windowFrames * cfg.frontend.hop) / cfg.frontend.sampleRate;
  opt.reportEvery = cfg.reportingCadenceS > windowS ? static_cast<int>(cfg.reportingCadenceS / windowS + 0.5f) : 1;
  opt.batchWindows = 6;
  // 3 s before + 1 s after the borderline window: a 33 KB ADPCM ring and a ~44 KB message at send
  // time fit a plain ESP32 next to Wi-Fi + TLS (README "On-device budget"); with PSRAM use 4 + 2.
  opt.clip.preSeconds = 3.f;
  opt.clip.postSeconds = 1.f;
  gOutboxMutex = xSemaphoreCreateMutex();
  s = gPipeline.init(cfg, &runner, &gOutbox, opt, nowMs());
  if (!s.ok) {
    ESP_LOGE(TAG, "pipeline: %s", s.message);
    vTaskDelay(portMAX_DELAY);
  }
  BaselineRecord b;
  // The pipeline tags baselines with the header's model; an OTA model gets its own tag.
  gPipeline.fsm().setModelTag(modelTag(gModel.sha256.c_str()));
  if (port::loadBaseline(&b) && gPipeline.fsm().restore(b, modelTag(gModel.sha256.c_str())))
    ESP_LOGI(TAG, "baseline restored: alert %.4f", b.alert);
  gCloud.begin(gSettings.cloudUrl, gSettings.token);

  ESP_ERROR_CHECK(gMic.begin(kMicPins, cfg.frontend.sampleRate));
  ESP_LOGI(TAG, "device %s boot %s model %s (%u B) arena used %u B, free heap %u B", gIdentity.deviceId.c_str(),
           gIdentity.bootId.c_str(), cfg.modelName, static_cast<unsigned>(gModel.length),
           static_cast<unsigned>(runner.arenaUsedBytes()), static_cast<unsigned>(esp_get_free_heap_size()));
  // Audio on the APP core when there are two (ESP32, S3); single-core chips share core 0.
  xTaskCreatePinnedToCore(audioTask, "audio", 8192, nullptr, 10, nullptr, portNUM_PROCESSORS > 1 ? 1 : 0);
  xTaskCreatePinnedToCore(netTask, "net", 8192, nullptr, 5, nullptr, 0);
}
