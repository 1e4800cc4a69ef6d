#include "uplink.h"

#include "json.h"
#include "protocol.h"

namespace sc::host {

void Uplink::init(const std::string& url, const std::string& token, FILE* out) {
  hasUrl_ = !url.empty();
  if (hasUrl_) url_ = parseHttpUrl(url);
  token_ = token;
  out_ = out;
}

bool Uplink::drain(Outbox& ob, uint64_t nowMs, int maxMessages) {
  OutboxEntry e;
  int n = 0;
  std::string payload;
  while (n < maxMessages && ob.front(&e)) {
    if (!ob.readPayload(e, &payload).ok) return false;
    if (e.kind == OutboxKind::CompactVerdicts) {
      std::string json;
      if (!protocol::compactBatchToJson(payload, &json)) {
        std::fprintf(stderr, "signalcraft-device: outbox record %llu is not a valid verdict batch; dropping it\n",
                     static_cast<unsigned long long>(e.id));
        ++st_.rejected;
        if (!ob.ack(e.id).ok) return false;
        continue;
      }
      payload = std::move(json);
    }
    const std::string msg = protocol::withSentAt(payload, nowMs);
    if (!hasUrl_) {
      std::fprintf(out_, "%s\n", msg.c_str());
      std::fflush(out_);
      if (!ob.ack(e.id).ok) return false;
      ++st_.sent;
      ++n;
      continue;
    }
    if (unauthorized_) return false;
    const char* route = e.kind == OutboxKind::Clip ? "/api/v1/device/clips" : "/api/v1/device/verdicts";
    HttpResponse r = httpRequest(url_, "POST", route, token_, msg);
    st_.lastStatus = r.status;
    if (r.status == 200) {
      // The ack must name this message, or we keep it (a proxy's 200 is not an ack).
      Json want = Json::parse(payload);
      Json got;
      try {
        got = Json::parse(r.body);
      } catch (const std::exception& ex) {
        st_.lastError = std::string("unparseable ack: ") + ex.what();
        ++st_.failures;
        return false;
      }
      if (!(got["ok"].b && got["ack"]["bootId"].string() == want["bootId"].string() &&
            got["ack"]["seq"].number(-1) == want["seq"].number(-2))) {
        st_.lastError = "ack does not match the message sent: " + r.body.substr(0, 200);
        ++st_.failures;
        return false;
      }
      if (got["duplicate"].b) ++st_.duplicates;
      if (!ob.ack(e.id).ok) return false;
      ++st_.sent;
      ++n;
      continue;
    }
    if (r.status == 422 || r.status == 413 || r.status == 415 || r.status == 400) {
      std::fprintf(stderr, "signalcraft-device: cloud rejected message (HTTP %d), dropping it: %s\n", r.status, r.body.substr(0, 300).c_str());
      ++st_.rejected;
      if (!ob.ack(e.id).ok) return false;
      continue;
    }
    if (r.status == 401 || r.status == 403) unauthorized_ = true;
    st_.lastError = r.status ? "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200) : r.error;
    ++st_.failures;
    return false;
  }
  return true;
}

bool Uplink::heartbeat(const std::string& json) {
  if (!hasUrl_) {
    std::fprintf(out_, "%s\n", json.c_str());
    return true;
  }
  HttpResponse r = httpRequest(url_, "POST", "/api/v1/device/heartbeat", token_, json);
  if (r.status == 401 || r.status == 403) unauthorized_ = true;
  return r.status == 200;
}

}  // namespace sc::host
