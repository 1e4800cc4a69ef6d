// Status codes with a message buffer: the core never throws (it runs with -fno-exceptions on
// the ESP32), and every failure says which values disagreed.
#pragma once
#include <cstdarg>
#include <cstdio>

namespace sc {

struct Status {
  bool ok = true;
  char message[160] = {0};

  static Status Ok() { return Status(); }
  static Status Error(const char* fmt, ...) __attribute__((format(printf, 1, 2))) {
    Status s;
    s.ok = false;
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(s.message, sizeof(s.message), fmt, ap);
    va_end(ap);
    return s;
  }
};

}  // namespace sc
