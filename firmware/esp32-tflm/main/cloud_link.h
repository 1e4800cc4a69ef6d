// HTTPS to the cloud (contract E) with the ESP-IDF certificate bundle: drains the outbox
// oldest-first, removing an entry only on an ack naming its (bootId, seq); heartbeats fetch the
// device config (cadence, thresholds, model) that drives model OTA.
#pragma once
#include <string>

#include "esp_err.h"
#include "outbox.h"

namespace sc::port {

struct CloudConfig {
  int cadenceS = 60;
  float alert = 0, borderlineLow = 0;
  std::string modelName, modelSha256, modelUrl;
  // Compatible extension of contract E's config: {"firmware": {"version", "url"}} (absent = none).
  std::string firmwareVersion, firmwareUrl;
  bool valid = false;
};

class CloudLink {
 public:
  void begin(const std::string& baseUrl, const std::string& token);
  // POSTs pending messages until empty or a failure; lock guards the outbox (shared with audio).
  // Returns false on failure (caller backs off).
  bool drain(Outbox& ob, void* outboxMutex, uint64_t nowMs);
  bool heartbeat(const std::string& json, CloudConfig* cfg);
  bool unauthorized() const { return unauthorized_; }
  const std::string& baseUrl() const { return base_; }
  const std::string& token() const { return token_; }

 private:
  int post(const char* path, const std::string& body, std::string* response);
  std::string base_, token_;
  bool unauthorized_ = false;
};

}  // namespace sc::port
