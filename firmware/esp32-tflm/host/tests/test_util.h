#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "json.h"

namespace sc::test {

inline std::string repoPath(const std::string& rel) { return std::string(SC_REPO_ROOT) + "/" + rel; }
inline std::string fixturePath(const std::string& rel) { return std::string(SC_FIXTURE_DIR) + "/" + rel; }

template <typename T>
std::vector<T> readBinary(const std::string& path) {
  std::string raw = sc::host::readFile(path);
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
  return v;
}

inline std::vector<float> noise(size_t n, uint32_t seed, float amp = 0.3f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, amp);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

}  // namespace sc::test
