#include "harness/libvirt/qemu_reaper.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/libvirt/background_loop.h"
#include "harness/output/input_file.h"

namespace restorelab::libvirt {
namespace fs = std::filesystem;

namespace {

/// The children of every thread of this process (orphans are reparented to
/// one of its threads).
std::vector<int> own_children() {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "children");
    for (int pid = 0; in >> pid;) pids.push_back(pid);
  }
  return pids;
}

class Reaper {
 public:
  Reaper() {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
      status_ = std::unexpected(make_error(std::string("becoming the reaper of QEMU processes: ") +
                                           std::strerror(errno)));
      return;
    }
    loop_.emplace([] {
      for (int pid : zombie_qemus(own_children(), static_cast<int>(getsid(0)))) (void)waitpid(pid, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
  }
  const Status& status() const { return status_; }

 private:
  Status status_;
  std::optional<BackgroundLoop> loop_;
};

}  // namespace

std::vector<int> zombie_qemus(const std::vector<int>& children, int own_session, const fs::path& proc_root) {
  std::vector<int> zombies;
  for (int pid : children) {
    // "PID (COMM) STATE PPID PGRP SESSION ...": COMM may hold spaces and
    // parentheses, so the fields after it follow the last ')'.
    const std::string stat = read_file_or_empty(proc_root / std::to_string(pid) / "stat");
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    const std::string comm = stat.substr(open + 1, close - open - 1);
    std::istringstream fields(stat.substr(close + 1));
    char state = 0;
    long parent = 0, group = 0, session = -1;
    if (!(fields >> state >> parent >> group >> session)) continue;
    if (comm.starts_with("qemu-system") && state == 'Z' && session != own_session) zombies.push_back(pid);
  }
  return zombies;
}

Status start_qemu_reaper() {
  static Reaper reaper;
  return reaper.status();
}

}  // namespace restorelab::libvirt
