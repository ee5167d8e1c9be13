// What this host can give one VM. A scenario may ask for 256 processors and
// 4 TiB (the scenario format allows it: predictions are about any machine);
// a VM run checks the machines against the host before any VM starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rules/model.h"

namespace restorelab::run {

struct HostCapacity {
  int cpus = 1;                  ///< online host processors
  std::int64_t memory_mib = 0;   ///< MemTotal
};

/// QEMU's `pc` machine takes at most 255 vCPUs.
inline constexpr int kMaxVcpusPc = 255;
/// vCPUs per host processor beyond which a boot is too slow to observe
/// within the run's time limits (they are time-shared).
inline constexpr int kMaxVcpusPerHostCpu = 8;

/// Memory one scenario in flight needs: its largest VM (512 MiB by default)
/// plus QEMU's own and the disks being made (the VMs of a chain run one
/// after the other).
inline constexpr std::int64_t kMibPerScenario = 1536;

/// `run --jobs` without a number: half the host's processors (a TCG guest
/// keeps a processor busy per vCPU, the make-disk scripts another), at most
/// as many as fit in the memory left after 2 GiB for the rest, at least 1.
int default_jobs(const HostCapacity& host);

/// This host, from sysconf and /proc/meminfo.
HostCapacity host_capacity();

/// Why `m` cannot be a VM on `host` ("source: cpus = 256: ..."), or nothing.
/// A VM may have at most kMaxVcpusPc and kMaxVcpusPerHostCpu × host cpus
/// vCPUs, and at most half the host's memory.
std::optional<std::string> exceeds_host(const Machine& m, std::string_view side, const HostCapacity& host);

/// Why this host's UEFI firmware cannot start the loader of `m`, a machine
/// booted through its firmware (the destination), or nothing. Under OVMF a
/// machine without a local APIC (a HAL type without APIC, firmware "uefi")
/// never gets past the start of its UEFI loader: measured with Debian 12's
/// OVMF (edk2 2022.11) and systemd-boot 252, silence for 150 s after
/// "BdsDxe: starting", with or without restorelab, while the same disk
/// boots in seconds with an APIC and a kernel OVMF starts directly runs
/// without one. OVMF's timer is the local APIC's, and the loader waits on
/// a timer for a key. Such a scenario is not run (its verdict is `error`,
/// no VM starts) and `--cover behaviours` picks another member of its class.
std::optional<std::string> firmware_cannot_boot(const Machine& m, std::string_view side);
/// firmware_cannot_boot() without the message, for loops over a matrix.
bool firmware_boots(const Machine& m);

}  // namespace restorelab::run
