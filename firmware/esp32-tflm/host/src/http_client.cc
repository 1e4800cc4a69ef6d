#include "http_client.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace sc::host {

HttpUrl parseHttpUrl(const std::string& url) {
  if (url.rfind("http://", 0) != 0)
    throw std::runtime_error("--url must start with http:// (the host device speaks plain HTTP; the ESP32 uses HTTPS): " + url);
  std::string rest = url.substr(7);
  HttpUrl u;
  const size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  u.basePath = slash == std::string::npos ? "" : rest.substr(slash);
  while (!u.basePath.empty() && u.basePath.back() == '/') u.basePath.pop_back();
  const size_t colon = hostport.rfind(':');
  u.host = hostport.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string p = hostport.substr(colon + 1);
    char* end = nullptr;
    long port = std::strtol(p.c_str(), &end, 10);
    if (p.empty() || *end || port < 1 || port > 65535) throw std::runtime_error("bad port in --url: " + url);
    u.port = static_cast<int>(port);
  }
  if (u.host.empty()) throw std::runtime_error("no host in --url: " + url);
  return u;
}

namespace {
bool waitFd(int fd, short events, int timeoutMs) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeoutMs) == 1;
}
}  // namespace

HttpResponse httpRequest(const HttpUrl& u, const std::string& method, const std::string& path, const std::string& token,
                         const std::string& body, int timeoutMs) {
  HttpResponse r;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  if (getaddrinfo(u.host.c_str(), std::to_string(u.port).c_str(), &hints, &ai) != 0 || !ai) {
    r.error = "cannot resolve " + u.host;
    return r;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    freeaddrinfo(ai);
    r.error = std::strerror(errno);
    return r;
  }
  const int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
  freeaddrinfo(ai);
  if (rc != 0) {
    r.error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return r;
  }
  std::string req = method + " " + u.basePath + path + " HTTP/1.1\r\nHost: " + u.host + ":" + std::to_string(u.port) +
                    "\r\nUser-Agent: signalcraft-device-host\r\nConnection: close\r\nAccept: application/json\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (method != "GET") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    if (!waitFd(fd, POLLOUT, timeoutMs)) {
      r.error = "send timeout";
      ::close(fd);
      return r;
    }
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      r.error = std::string("send: ") + std::strerror(errno);
      ::close(fd);
      return r;
    }
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[4096];
  while (true) {
    if (!waitFd(fd, POLLIN, timeoutMs)) {
      r.error = "response timeout";
      break;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
    if (resp.size() > (4u << 20)) break;
  }
  ::close(fd);
  const size_t hdrEnd = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) != 0 || hdrEnd == std::string::npos) {
    if (r.error.empty()) r.error = "malformed HTTP response";
    return r;
  }
  r.status = std::atoi(resp.c_str() + 9);
  std::string headers = resp.substr(0, hdrEnd);
  std::string lower = headers;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string payload = resp.substr(hdrEnd + 4);
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    std::string out;
    size_t p = 0;
    while (p < payload.size()) {
      const size_t eol = payload.find("\r\n", p);
      if (eol == std::string::npos) break;
      const size_t len = std::strtoul(payload.substr(p, eol - p).c_str(), nullptr, 16);
      if (len == 0) break;
      out += payload.substr(eol + 2, len);
      p = eol + 2 + len + 2;
    }
    payload = out;
  }
  const size_t ra = lower.find("\r\nretry-after:");
  if (ra != std::string::npos) r.retryAfterS = std::atoi(lower.c_str() + ra + 14);
  r.body = payload;
  r.error.clear();
  return r;
}

}  // namespace sc::host
