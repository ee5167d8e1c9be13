// Removing what a run (or an earlier, killed run) left behind: libvirt
// domains with the run's name prefix, and QEMU processes of an embedded
// driver root that nothing manages any more.
#pragma once

#include <chrono>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/machines/hypervisor.h"

namespace restorelab::machines {

/// What cleaning up did. Cleanup never stops at the first failure.
struct CleanupReport {
  std::vector<std::string> removed;  ///< domains destroyed (when running) and undefined
  std::vector<int> killed;           ///< pids of stray QEMU processes killed
  std::vector<Error> problems;       ///< everything that failed, in order
  bool ok() const { return problems.empty(); }
};

/// Destroys and undefines (with NVRAM) every domain whose name starts with
/// `prefix` but with none of `keep` (the prefixes of live runs). A domain
/// that vanishes meanwhile is not a problem. An empty prefix is refused (it
/// would remove every domain of the connection).
CleanupReport remove_domains(Hypervisor& hypervisor, std::string_view prefix,
                             std::span<const std::string> keep = {});

/// A process as the stray-QEMU search sees it.
struct ProcessInfo {
  int pid = 0;
  std::vector<std::string> argv;  ///< the command line, one entry per argument
};

/// The process table: the side effect behind kill_stray_qemu.
class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  /// Every process that can be seen now.
  virtual std::vector<ProcessInfo> list() = 0;
  /// Sends `signal`; false when the process no longer exists.
  virtual bool signal(int pid, int signal) = 0;
  /// True while the process exists and is not a zombie.
  virtual bool alive(int pid) = 0;
};

/// The real table: /proc/PID/cmdline and kill(2).
class ProcProcessTable final : public ProcessTable {
 public:
  std::vector<ProcessInfo> list() override;
  bool signal(int pid, int signal) override;
  bool alive(int pid) override;
};

/// The libvirt guest name of a QEMU command line (`-name guest=NAME,...`),
/// or empty when it has none.
std::string qemu_guest_name(const std::vector<std::string>& argv);

/// True when `argv` is a QEMU started by the embedded driver rooted at
/// `embed_root` (an argument names a path below it) for a guest whose name
/// starts with `prefix`.
bool is_stray_qemu(const std::vector<std::string>& argv, const std::filesystem::path& embed_root,
                   std::string_view prefix);

/// Kills the QEMU processes is_stray_qemu() picks, except those of guests
/// whose name starts with one of `keep` (kept runs): SIGTERM, then SIGKILL for
/// those alive after `grace`. Call it after remove_domains() on a freshly
/// opened hypervisor, when every domain it still manages is gone, so that
/// only processes libvirt lost track of remain. Returns what it killed.
CleanupReport kill_stray_qemu(ProcessTable& processes, const std::filesystem::path& embed_root,
                              std::string_view prefix,
                              std::chrono::milliseconds grace = std::chrono::milliseconds(2000),
                              std::span<const std::string> keep = {});

}  // namespace restorelab::machines
