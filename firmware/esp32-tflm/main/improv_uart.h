// Improv over the console UART (115200, shared with log output, as ESP Web Tools expects):
// moves bytes between UART0 and the core's improv::Handler; the delegate maps commands to Wi-Fi,
// NVS settings and the 0xA0 cloud URL/token command.
#pragma once

namespace sc::port {

// Starts the Improv task. `provisioned` is signalled (binary semaphore, may be null) once
// Wi-Fi credentials were accepted.
void improvStart(void* provisionedSemaphore);

}  // namespace sc::port
