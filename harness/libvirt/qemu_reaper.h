// Prompt reaping of the QEMU processes the embedded driver starts.
//
// libvirt starts QEMU daemonized (a double fork), so QEMU is an orphan whose
// parent is PID 1. When QEMU exits it stays a zombie until PID 1 reaps it,
// and libvirt reports the domain stopped only once the PID is gone (it polls
// every 200 ms). Under an init that reaps late (seen here: a container init,
// 1.2-2 s per stop) every VM stop pays that wait. The reaper makes this
// process the child subreaper of its descendants (PR_SET_CHILD_SUBREAPER),
// so orphaned QEMUs become its children, and a thread reaps those that have
// exited. It reaps nothing but zombie `qemu-system-*` children in another
// session than this process's: a daemonized QEMU has called setsid(), while
// a QEMU that this process started and waits for itself (libvirt's
// capability probe runs `qemu-system-x86_64 ... -daemonize` and waits for
// that launcher to exit) is still in this session, and reaping it would
// make libvirt's waitpid fail with ECHILD ("Cannot find suitable emulator").
#pragma once

#include <filesystem>
#include <vector>

#include "harness/libvirt/libvirt_error.h"

namespace restorelab::libvirt {

/// Starts the process-wide reaper (once; later calls do nothing). Error: the
/// kernel refused to make this process a subreaper (then nothing changes).
Status start_qemu_reaper();

/// The PIDs among `children` (this process's children) that are zombie
/// QEMU processes of a session other than `own_session`, read from
/// `proc_root`/PID/stat. Exposed for tests.
std::vector<int> zombie_qemus(const std::vector<int>& children, int own_session,
                              const std::filesystem::path& proc_root = "/proc");

}  // namespace restorelab::libvirt
