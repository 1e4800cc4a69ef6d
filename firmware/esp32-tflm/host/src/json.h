// Small JSON reader for the host tools and tests (card/vector indexes, settings, HTTP replies).
// Not used on the device: the ESP32 gets its parameters from the generated header.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sc::host {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::map<std::string, Json> obj;

  // Throws std::runtime_error("... at offset N") on malformed input.
  static Json parse(const std::string& text);
  const Json& operator[](const std::string& key) const;  // Null if absent or not an object
  const Json& operator[](size_t i) const;
  bool has(const std::string& key) const { return type == Type::Object && obj.count(key) > 0; }
  bool isNull() const { return type == Type::Null; }
  double number(double def = 0) const { return type == Type::Number ? num : def; }
  std::string string(const std::string& def = "") const { return type == Type::String ? str : def; }
  size_t size() const { return type == Type::Array ? arr.size() : type == Type::Object ? obj.size() : 0; }
};

std::string readFile(const std::string& path);  // throws std::runtime_error naming the path
std::string jsonEscape(const std::string& s);

}  // namespace sc::host
