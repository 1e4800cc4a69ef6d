#include "model_store.h"

#include <cstdio>
#include <cstring>

#include "esp_crt_bundle.h"
#include "esp_http_client.h"
#include "esp_log.h"
#include "esp_partition.h"
#include "nvs.h"
#include "sha256.h"

namespace sc::port {
namespace {
const char* TAG = "model_store";
constexpr const char* kNs = "sc_model";
constexpr esp_partition_subtype_t kModelSubtype = static_cast<esp_partition_subtype_t>(0x40);
const esp_partition_t* gPart = nullptr;
esp_partition_mmap_handle_t gMap = 0;
bool gMapped = false;

struct Pointer {
  uint8_t slot = 0xFF;  // 0/1, 0xFF = compiled-in model
  uint32_t length = 0;
  char sha[65] = {0};
  uint8_t trial = 0;
  uint8_t prevSlot = 0xFF;
  uint32_t prevLength = 0;
  char prevSha[65] = {0};
};

size_t slotSize() { return gPart ? gPart->size / 2 : 0; }

bool readPointer(Pointer* p) {
  nvs_handle_t h;
  if (nvs_open(kNs, NVS_READONLY, &h) != ESP_OK) return false;
  size_t len = sizeof(*p);
  const bool ok = nvs_get_blob(h, "ptr", p, &len) == ESP_OK && len == sizeof(*p);
  nvs_close(h);
  return ok;
}

esp_err_t writePointer(const Pointer& p) {
  nvs_handle_t h;
  esp_err_t err = nvs_open(kNs, NVS_READWRITE, &h);
  if (err != ESP_OK) return err;
  err = nvs_set_blob(h, "ptr", &p, sizeof(p));
  if (err == ESP_OK) err = nvs_commit(h);  // the atomic swap
  nvs_close(h);
  return err;
}

bool hashSlot(uint8_t slot, uint32_t length, char hex[65]) {
  Sha256 sha;
  uint8_t buf[1024];
  for (uint32_t off = 0; off < length; off += sizeof buf) {
    const size_t n = length - off < sizeof buf ? length - off : sizeof buf;
    if (esp_partition_read(gPart, slot * slotSize() + off, buf, n) != ESP_OK) return false;
    sha.update(buf, n);
  }
  uint8_t d[32];
  sha.finish(d);
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return true;
}
}  // namespace

esp_err_t modelStoreInit() {
  gPart = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, kModelSubtype, "model");
  if (!gPart) {
    ESP_LOGW(TAG, "no 'model' partition: over-the-air models disabled");
    return ESP_ERR_NOT_FOUND;
  }
  return ESP_OK;
}

ActiveModel modelStoreActive(const uint8_t* builtin, size_t builtinLen, const char* builtinSha) {
  ActiveModel m{builtin, builtinLen, builtinSha, false, false};
  Pointer p;
  if (!gPart || !readPointer(&p) || p.slot > 1) return m;
  if (p.trial == 2) {
    // The trial model was already given one boot and never confirmed: roll back.
    ESP_LOGW(TAG, "model %.12s was not confirmed after a boot: rolling back", p.sha);
    modelStoreRollback();
    if (!readPointer(&p) || p.slot > 1) return m;
  } else if (p.trial == 1) {
    p.trial = 2;  // this boot is its chance
    writePointer(p);
  }
  char hex[65];
  if (!hashSlot(p.slot, p.length, hex) || std::strcmp(hex, p.sha) != 0) {
    ESP_LOGE(TAG, "model slot %u fails its sha256 check: using the built-in model", p.slot);
    return m;
  }
  const void* ptr = nullptr;
  if (gMapped) esp_partition_munmap(gMap);
  if (esp_partition_mmap(gPart, p.slot * slotSize(), p.length, ESP_PARTITION_MMAP_DATA, &ptr, &gMap) != ESP_OK) return m;
  gMapped = true;
  m.data = static_cast<const uint8_t*>(ptr);
  m.length = p.length;
  m.sha256 = p.sha;
  m.fromPartition = true;
  m.trial = p.trial != 0;
  return m;
}

esp_err_t modelStoreDownload(const std::string& url, const std::string& token, const std::string& sha256) {
  if (!gPart) return ESP_ERR_NOT_FOUND;
  Pointer p;
  readPointer(&p);
  if (p.slot <= 1 && sha256 == p.sha) return ESP_OK;  // already active
  const uint8_t target = p.slot == 0 ? 1 : 0;
  esp_http_client_config_t cfg = {};
  cfg.url = url.c_str();
  cfg.crt_bundle_attach = esp_crt_bundle_attach;
  cfg.timeout_ms = 15000;
  esp_http_client_handle_t c = esp_http_client_init(&cfg);
  const std::string auth = "Bearer " + token;
  esp_http_client_set_header(c, "Authorization", auth.c_str());
  esp_err_t err = esp_http_client_open(c, 0);
  int64_t len = err == ESP_OK ? esp_http_client_fetch_headers(c) : -1;
  const int status = esp_http_client_get_status_code(c);
  if (err != ESP_OK || status != 200 || len <= 0 || static_cast<size_t>(len) > slotSize()) {
    ESP_LOGE(TAG, "model download failed: HTTP %d, %lld bytes (slot holds %u)", status, static_cast<long long>(len),
             static_cast<unsigned>(slotSize()));
    esp_http_client_cleanup(c);
    return err != ESP_OK ? err : ESP_FAIL;
  }
  const size_t base = target * slotSize();
  err = esp_partition_erase_range(gPart, base, slotSize());
  Sha256 sha;
  uint8_t buf[1024];
  size_t got = 0;
  while (err == ESP_OK && got < static_cast<size_t>(len)) {
    const int n = esp_http_client_read(c, reinterpret_cast<char*>(buf), sizeof buf);
    if (n <= 0) {
      err = ESP_FAIL;
      break;
    }
    sha.update(buf, static_cast<size_t>(n));
    err = esp_partition_write(gPart, base + got, buf, static_cast<size_t>(n));
    got += static_cast<size_t>(n);
  }
  esp_http_client_cleanup(c);
  if (err != ESP_OK) return err;
  uint8_t d[32];
  sha.finish(d);
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", d[i]);
  char back[65];
  if (sha256 != hex || !hashSlot(target, static_cast<uint32_t>(got), back) || sha256 != back) {
    ESP_LOGE(TAG, "downloaded model sha256 %.12s… (flash %.12s…) != announced %.12s…", hex, back, sha256.c_str());
    return ESP_ERR_INVALID_CRC;
  }
  Pointer next;
  next.slot = target;
  next.length = static_cast<uint32_t>(got);
  std::strncpy(next.sha, sha256.c_str(), 64);
  next.trial = 1;
  next.prevSlot = p.slot;
  next.prevLength = p.length;
  std::memcpy(next.prevSha, p.sha, sizeof next.prevSha);
  ESP_LOGI(TAG, "model %.12s… stored in slot %u (%u bytes), active on trial", hex, target, static_cast<unsigned>(got));
  return writePointer(next);
}

void modelStoreConfirm() {
  Pointer p;
  if (readPointer(&p) && p.trial) {
    p.trial = 0;
    writePointer(p);
    ESP_LOGI(TAG, "model %.12s… confirmed", p.sha);
  }
}

void modelStoreRollback() {
  Pointer p;
  if (!readPointer(&p)) return;
  Pointer prev;
  prev.slot = p.prevSlot;
  prev.length = p.prevLength;
  std::memcpy(prev.sha, p.prevSha, sizeof prev.sha);
  writePointer(prev);
  ESP_LOGW(TAG, "rolled back to %s", prev.slot > 1 ? "the built-in model" : prev.sha);
}

}  // namespace sc::port
