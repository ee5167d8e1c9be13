// Running a helper program (images/build-image.sh, images/make-disk.sh) as a
// child process: the one place the orchestration forks.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "harness/libvirt/libvirt_error.h"

namespace restorelab::run {

using libvirt::Error;
using libvirt::Result;
using libvirt::Status;
using libvirt::make_error;

/// How a finished child process ended, with its stdout and stderr together.
struct ProcessResult {
  int exit_code = 0;    ///< the exit status, or 128 + signal when killed
  std::string output;   ///< stdout and stderr interleaved
};

/// Runs `argv` (argv[0] looked up in PATH) with stdin from /dev/null and
/// waits. Error when it cannot be started, runs longer than `timeout` (it is
/// then killed with its process group), or `cancel` becomes non-zero
/// meanwhile (same). A non-zero exit is not an Error: look at exit_code.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                  const std::atomic<int>* cancel = nullptr);

}  // namespace restorelab::run
