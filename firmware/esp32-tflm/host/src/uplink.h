// Drains the outbox oldest-first: over HTTP to the cloud (contract E routes), or to stdout as JSON
// lines when no URL is given. An entry is removed only after the cloud's ack for exactly that
// (bootId, seq) — or after a 4xx that says the message can never be accepted (422/413/415),
// which is logged loudly and counted instead of blocking the queue forever.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "http_client.h"
#include "outbox.h"

namespace sc::host {

struct UplinkStats {
  uint32_t sent = 0, duplicates = 0, rejected = 0, failures = 0;
  int lastStatus = 0;
  std::string lastError;
};

class Uplink {
 public:
  // url empty = print to `out`.
  void init(const std::string& url, const std::string& token, FILE* out);
  // Sends until the outbox is empty, a send fails (-> false) or maxMessages were sent.
  bool drain(Outbox& ob, uint64_t nowMs, int maxMessages = 1 << 30);
  bool heartbeat(const std::string& json);
  const UplinkStats& stats() const { return st_; }
  bool unauthorized() const { return unauthorized_; }

 private:
  bool hasUrl_ = false;
  HttpUrl url_;
  std::string token_;
  FILE* out_ = stdout;
  UplinkStats st_;
  bool unauthorized_ = false;
};

}  // namespace sc::host
