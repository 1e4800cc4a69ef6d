// Minimal HTTP/1.1 client over POSIX sockets for the host device (plain http to 127.0.0.1 or
// another IPv4 address; the ESP32 uses esp_http_client with TLS instead). One request per
// connection (Connection: close), bounded by a timeout.
#pragma once
#include <string>

namespace sc::host {

struct HttpUrl {
  std::string host;
  int port = 80;
  std::string basePath;  // without trailing slash
};

struct HttpResponse {
  int status = 0;  // 0 = transport failure (see error)
  std::string body;
  std::string error;
  int retryAfterS = -1;
};

// Throws std::runtime_error on anything but http://host[:port][/path].
HttpUrl parseHttpUrl(const std::string& url);
HttpResponse httpRequest(const HttpUrl& u, const std::string& method, const std::string& path, const std::string& token,
                         const std::string& body, int timeoutMs = 5000);

}  // namespace sc::host
