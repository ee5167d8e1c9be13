// The guest program's phases, run in the order the job lists them, on top of
// a Platform. See images/README.md for the job keys and the report lines.
#pragma once

#include <string>
#include <vector>

#include "images/guest/kv.h"
#include "images/guest/platform.h"

namespace restorelab::guest {

/// Where the initramfs keeps module files and the lists saying in which
/// order to load them: etc/rl/base.modules and etc/rl/drivers/<bus>.modules,
/// one file name (relative to lib/modules/rl) per line.
inline constexpr std::string_view kModuleDir = "lib/modules/rl";
inline constexpr std::string_view kModuleListDir = "etc/rl";

/// The boot-start driver images the loader loaded: the <bus> names of
/// etc/rl/drivers/<bus>.modules under `root`, sorted.
std::vector<std::string> LoadedDriverImages(const fs::path& root);

/// The module files listed in `list_file`, as paths under `root`.
std::vector<fs::path> ModuleFiles(const fs::path& root, const fs::path& list_file);

/// rl.disk= from the kernel command line: "system" (default) or "recovery".
std::string DiskRole(const std::string& cmdline);

/// The kernel command-line word the host adds when it starts the kernel
/// itself (libvirt <kernel>) instead of firmware booting a disk.
inline constexpr std::string_view kDirectBootWord = "rl.boot=direct";
/// True when `cmdline` (/proc/cmdline) holds kDirectBootWord.
bool StartedDirectly(const std::string& cmdline);

/// Runs the whole guest: reports kernel-start, loads modules, reads the job,
/// runs its phases, reports done and powers off. Returns only with a fake
/// platform; the value is 0 when every phase ran (whatever the outcome),
/// 1 when the run itself failed (an `error` event was printed).
int RunGuest(Platform& platform);

}  // namespace restorelab::guest
