// Running a helper program (images/build-image.sh, images/make-disk.sh, the
// accelerator's QEMU probe, git) as a child process: the one place restorelab
// starts a process.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/machines/error.h"

namespace restorelab::machines {

/// How a finished child process ended.
struct ProcessResult {
  int exit_code = 0;    ///< the exit status, or 128 + signal when killed
  std::string output;   ///< stdout, and stderr interleaved unless ProcessOptions::separate_stderr
  std::string errors;   ///< stderr with ProcessOptions::separate_stderr
  bool stopped = false;  ///< killed because ProcessOptions::stop_when said so (exit_code 128 + SIGKILL)
};

struct ProcessOptions {
  std::chrono::milliseconds timeout{60000};
  const std::atomic<int>* cancel = nullptr;
  /// Keep stderr apart (ProcessResult::errors) instead of mixed into output.
  bool separate_stderr = false;
  /// More output than this (stdout and stderr together) kills the child: an
  /// input that makes a program print without end must not fill memory.
  std::size_t max_output = std::size_t{64} << 20;
  /// Asked with ProcessResult::output whenever more of it arrives: true
  /// kills the child (it will not finish usefully, e.g. a QEMU that reported
  /// an internal error hangs) and returns what it printed, with `stopped`.
  std::function<bool(std::string_view output)> stop_when = nullptr;
};

/// Runs `argv` (argv[0] looked up in PATH; never through a shell) with stdin
/// from /dev/null and waits (ProcessOptions::stop_when may end it early;
/// that is not an Error). Error when it cannot be started, runs longer
/// than the timeout, prints more than max_output or `cancel` becomes
/// non-zero meanwhile (it is then killed with its process group). A non-zero
/// exit is not an Error: look at exit_code.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

/// run_process with stdout and stderr together.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                  const std::atomic<int>* cancel = nullptr);

}  // namespace restorelab::machines
