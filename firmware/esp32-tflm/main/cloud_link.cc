#include "cloud_link.h"

#include "cJSON.h"
#include "esp_crt_bundle.h"
#include "esp_http_client.h"
#include "esp_log.h"
#include "esp_task_wdt.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "protocol.h"

namespace sc::port {
namespace {
const char* TAG = "cloud";

esp_err_t onData(esp_http_client_event_t* ev) {
  if (ev->event_id == HTTP_EVENT_ON_DATA && ev->user_data) {
    auto* out = static_cast<std::string*>(ev->user_data);
    if (out->size() < 8192) out->append(static_cast<const char*>(ev->data), ev->data_len);
  }
  return ESP_OK;
}

// Reads the bootId/seq a stored message was encoded with.
bool messageKey(const std::string& json, std::string* bootId, double* seq) {
  cJSON* j = cJSON_Parse(json.c_str());
  if (!j) return false;
  const cJSON* b = cJSON_GetObjectItem(j, "bootId");
  const cJSON* s = cJSON_GetObjectItem(j, "seq");
  const bool ok = cJSON_IsString(b) && cJSON_IsNumber(s);
  if (ok) {
    *bootId = b->valuestring;
    *seq = s->valuedouble;
  }
  cJSON_Delete(j);
  return ok;
}
}  // namespace

void CloudLink::begin(const std::string& baseUrl, const std::string& token) {
  base_ = baseUrl;
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
  token_ = token;
  unauthorized_ = false;
}

int CloudLink::post(const char* path, const std::string& body, std::string* response) {
  const std::string url = base_ + path;
  esp_http_client_config_t cfg = {};
  cfg.url = url.c_str();
  cfg.method = HTTP_METHOD_POST;
  cfg.crt_bundle_attach = esp_crt_bundle_attach;  // HTTPS with the built-in CA bundle
  cfg.timeout_ms = 10000;
  cfg.event_handler = onData;
  cfg.user_data = response;
  esp_http_client_handle_t c = esp_http_client_init(&cfg);
  if (!c) return 0;
  const std::string auth = "Bearer " + token_;
  esp_http_client_set_header(c, "Authorization", auth.c_str());
  esp_http_client_set_header(c, "Content-Type", "application/json");
  esp_http_client_set_post_field(c, body.data(), static_cast<int>(body.size()));
  const esp_err_t err = esp_http_client_perform(c);
  const int status = err == ESP_OK ? esp_http_client_get_status_code(c) : 0;
  esp_http_client_cleanup(c);
  if (status == 401 || status == 403) unauthorized_ = true;
  return status;
}

bool CloudLink::drain(Outbox& ob, void* mutex, uint64_t nowMs) {
  auto lock = [&] { xSemaphoreTake(static_cast<SemaphoreHandle_t>(mutex), portMAX_DELAY); };
  auto unlock = [&] { xSemaphoreGive(static_cast<SemaphoreHandle_t>(mutex)); };
  while (!unauthorized_) {
    OutboxEntry e;
    std::string payload;
    lock();
    const bool have = ob.front(&e) && ob.readPayload(e, &payload).ok;
    unlock();
    if (!have) return true;
    if (e.kind == OutboxKind::CompactVerdicts) {
      std::string json;
      if (!protocol::compactBatchToJson(payload, &json)) {
        ESP_LOGE(TAG, "outbox record %llu is not a valid verdict batch: dropping it", static_cast<unsigned long long>(e.id));
        lock();
        ob.ack(e.id);
        unlock();
        continue;
      }
      payload = std::move(json);
    }
    std::string response;
    const char* path = e.kind == OutboxKind::Clip ? "/api/v1/device/clips" : "/api/v1/device/verdicts";
    const int status = post(path, protocol::withSentAt(payload, nowMs), &response);
    if (status == 200) {
      std::string wantBoot, gotBoot;
      double wantSeq = -1, gotSeq = -2;
      cJSON* j = cJSON_Parse(response.c_str());
      const cJSON* ack = j ? cJSON_GetObjectItem(j, "ack") : nullptr;
      if (ack && cJSON_IsString(cJSON_GetObjectItem(ack, "bootId")) && cJSON_IsNumber(cJSON_GetObjectItem(ack, "seq"))) {
        gotBoot = cJSON_GetObjectItem(ack, "bootId")->valuestring;
        gotSeq = cJSON_GetObjectItem(ack, "seq")->valuedouble;
      }
      if (j) cJSON_Delete(j);
      if (!messageKey(payload, &wantBoot, &wantSeq) || wantBoot != gotBoot || wantSeq != gotSeq) {
        ESP_LOGW(TAG, "200 without a matching ack; keeping message %llu", static_cast<unsigned long long>(e.id));
        return false;
      }
    } else if (status == 400 || status == 413 || status == 415 || status == 422) {
      // The cloud will never accept this message: drop it loudly instead of blocking the queue.
      ESP_LOGE(TAG, "cloud rejected message %llu with HTTP %d: %.200s", static_cast<unsigned long long>(e.id), status,
               response.c_str());
    } else {
      ESP_LOGW(TAG, "send failed (HTTP %d); will retry", status);
      return false;
    }
    lock();
    ob.ack(e.id);
    unlock();
    esp_task_wdt_reset();  // a long backlog is many requests; each one is bounded by its timeout
  }
  return false;
}

bool CloudLink::heartbeat(const std::string& json, CloudConfig* cfg) {
  std::string response;
  if (post("/api/v1/device/heartbeat", json, &response) != 200) return false;
  cJSON* j = cJSON_Parse(response.c_str());
  const cJSON* c = j ? cJSON_GetObjectItem(j, "config") : nullptr;
  if (c) {
    const cJSON* cad = cJSON_GetObjectItem(c, "cadenceS");
    const cJSON* th = cJSON_GetObjectItem(c, "thresholds");
    const cJSON* m = cJSON_GetObjectItem(c, "model");
    if (cJSON_IsNumber(cad) && cad->valueint >= 1) cfg->cadenceS = cad->valueint;
    if (th && cJSON_IsNumber(cJSON_GetObjectItem(th, "alert"))) {
      cfg->alert = static_cast<float>(cJSON_GetObjectItem(th, "alert")->valuedouble);
      cfg->borderlineLow = static_cast<float>(cJSON_GetObjectItem(th, "borderlineLow")->valuedouble);
    }
    if (cJSON_IsObject(m) && cJSON_IsString(cJSON_GetObjectItem(m, "sha256")) && cJSON_IsString(cJSON_GetObjectItem(m, "url"))) {
      cfg->modelSha256 = cJSON_GetObjectItem(m, "sha256")->valuestring;
      cfg->modelUrl = cJSON_GetObjectItem(m, "url")->valuestring;
      const cJSON* n = cJSON_GetObjectItem(m, "name");
      cfg->modelName = cJSON_IsString(n) ? n->valuestring : "";
    }
    const cJSON* fw = cJSON_GetObjectItem(c, "firmware");
    if (cJSON_IsObject(fw) && cJSON_IsString(cJSON_GetObjectItem(fw, "version")) && cJSON_IsString(cJSON_GetObjectItem(fw, "url"))) {
      cfg->firmwareVersion = cJSON_GetObjectItem(fw, "version")->valuestring;
      cfg->firmwareUrl = cJSON_GetObjectItem(fw, "url")->valuestring;
    }
    cfg->valid = true;
  }
  if (j) cJSON_Delete(j);
  return true;
}

}  // namespace sc::port
