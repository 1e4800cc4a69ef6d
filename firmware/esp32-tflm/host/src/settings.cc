#include "settings.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "json.h"

namespace sc::host {

Settings loadSettings(const std::string& path) {
  Settings s;
  std::ifstream probe(path);
  if (!probe) return s;
  Json j = Json::parse(readFile(path));
  s.ssid = j["ssid"].string();
  s.password = j["password"].string();
  s.cloudUrl = j["cloudUrl"].string();
  s.token = j["token"].string();
  s.hostname = j["hostname"].string(s.hostname);
  s.deviceName = j["deviceName"].string(s.deviceName);
  s.deviceId = j["deviceId"].string();
  return s;
}

void saveSettings(const std::string& path, const Settings& s) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp);
    f << "{\"ssid\":\"" << jsonEscape(s.ssid) << "\",\"password\":\"" << jsonEscape(s.password) << "\",\"cloudUrl\":\""
      << jsonEscape(s.cloudUrl) << "\",\"token\":\"" << jsonEscape(s.token) << "\",\"hostname\":\"" << jsonEscape(s.hostname)
      << "\",\"deviceName\":\"" << jsonEscape(s.deviceName) << "\",\"deviceId\":\"" << jsonEscape(s.deviceId) << "\"}\n";
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot replace " + path);
}

}  // namespace sc::host
