// restorelab's own lock on an embedded libvirt root (ROOT/restorelab.lock):
// an embedded driver serves one process at a time, so `run`, `replay` and
// `kept --remove` take it before opening the root and wait, saying so, while
// another process holds it. The lock file holds the holder's pid.
#pragma once

#include <atomic>
#include <filesystem>
#include <string_view>

#include "harness/cli/cli.h"
#include "harness/machines/error.h"

namespace restorelab {

class EmbedRootLock {
 public:
  EmbedRootLock() = default;
  ~EmbedRootLock();
  EmbedRootLock(const EmbedRootLock&) = delete;
  EmbedRootLock& operator=(const EmbedRootLock&) = delete;

  /// Takes ROOT/restorelab.lock (creating ROOT), waiting while another
  /// process holds it; says once on `io.err`, as `command`, whom it waits
  /// for. Fails when the file cannot be locked or `interrupt` becomes
  /// non-zero while waiting. Held until destruction.
  machines::Status take(const std::filesystem::path& root, std::string_view command,
                        const std::atomic<int>& interrupt, Streams& io);

 private:
  int fd_ = -1;
};

}  // namespace restorelab
