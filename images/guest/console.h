// Writing the serial console from PID 1, and waiting until what was written
// has left the machine. The VM ends the moment the guest raises pvpanic or
// powers off; bytes still in the kernel's tty buffer or in the UART's FIFO
// then never reach the host's serial log (a `boot` line cut after its first
// fields was seen). These work on any file descriptor, so the host's unit tests
// run them on a pseudo-terminal and a pipe.
#pragma once

#include <string_view>

#include "images/guest/result.h"

namespace restorelab::guest {

/// Writes all of `text` to `fd`, going on after partial writes and signals.
/// Error: write(2) failed (the bytes before it were written).
Status WriteAll(int fd, std::string_view text);

/// Returns once every byte written to the terminal `fd` has been transmitted:
/// tcdrain(3), which for a serial port waits for the tty buffer, the driver's
/// transmit buffer and then the UART itself (Linux's uart_wait_until_sent
/// polls the line status register until transmitter and FIFO are empty).
/// Retried when a signal interrupts it. Error: `fd` is not a terminal, or
/// tcdrain failed otherwise.
Status DrainTerminal(int fd);

}  // namespace restorelab::guest
