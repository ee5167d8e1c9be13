// SIGINT/SIGTERM during a run: the handlers only record the signal; the
// orchestrator checks the flag between and during its waits, cleans up and
// the command exits 130.
#pragma once

#include <atomic>

namespace restorelab::run {

/// Installs handlers for SIGINT and SIGTERM that store the signal number in
/// the returned flag (0 until one arrives). Idempotent; the flag lives for
/// the whole process.
std::atomic<int>& install_interrupt_handlers();

/// Puts the default handlers back (the flag keeps its value).
void restore_default_handlers();

}  // namespace restorelab::run
