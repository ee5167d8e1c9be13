#include "harness/run/host_capacity.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "harness/output/text.h"

namespace restorelab::run {


HostCapacity host_capacity() {
  HostCapacity host;
  host.cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemTotal:") {
      host.memory_mib = kib / 1024;
      break;
    }
    meminfo.ignore(256, '\n');
  }
  return host;
}

int default_jobs(const HostCapacity& host) {
  const std::int64_t by_memory = (host.memory_mib - 2048) / kMibPerScenario;
  return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(host.cpus / 2, by_memory)));
}

std::optional<std::string> exceeds_host(const Machine& m, std::string_view side, const HostCapacity& host) {
  const int max_cpus = std::min(kMaxVcpusPc, kMaxVcpusPerHostCpu * host.cpus);
  if (m.cpus > max_cpus)
    return text("{}.cpus = {}: a VM on this host can have at most {} (QEMU's pc machine takes {}, and {} host "
                "processors time-share at most {} each); predict it instead, or run it on a larger host",
                side, m.cpus, max_cpus, kMaxVcpusPc, host.cpus, kMaxVcpusPerHostCpu);
  if (host.memory_mib > 0 && m.memory_mib > host.memory_mib / 2)
    return text("{}.memory_mib = {}: a VM on this host can have at most {} MiB (half of its {} MiB)", side,
                m.memory_mib, host.memory_mib / 2, host.memory_mib);
  return std::nullopt;
}

bool firmware_boots(const Machine& m) { return m.firmware != Firmware::Uefi || hal_has_apic(m.hal); }

std::optional<std::string> firmware_cannot_boot(const Machine& m, std::string_view side) {
  if (firmware_boots(m)) return std::nullopt;
  return text("{}.hal = \"{}\" with firmware = \"uefi\": a machine without a local APIC, and OVMF does not get "
              "past the start of the UEFI loader on one (its timer is the local APIC's); not run on VMs, predict it "
              "instead",
              side, name_of(m.hal));
}

}  // namespace restorelab::run
