// Warm starts: the VMs of a chain that the harness starts with a kernel of
// its own (source, restore, recovery, reset, remediation from media) spend
// most of their time in firmware and kernel start-up that is the same for
// every VM of one machine shape. Such a VM is booted once per shape to the
// guest's ready point (images/guest/guest_run.cc: the guest program runs and
// has loaded its drivers, the storage controllers' included, which have
// probed the disks; it has mounted and scanned nothing and waits for its
// job), saved through the hypervisor, and every later VM of that shape is
// restored from the saved state with its own disks (of the same sizes),
// serial log and job. The restored guest first drops what the kernel read
// from the disks and reads every partition table again. The test boot (the
// destination through its firmware and loader) never starts warm.
//
// The shape (the key of a state) is everything the saved state fixes:
//  - the domain XML with the name, UUID and the paths of disks, serial log,
//    NVRAM, kernel, initramfs and fw_cfg files replaced by placeholders: the
//    firmware, ACPI/APIC, processors, memory, NICs and their MACs (run_plan
//    derives MACs from the computer, not the scenario), disk buses, the
//    kernel command line;
//  - the contents of the kernel and the initramfs (in the guest's memory),
//    the size of every disk (IDE and AHCI keep the IDENTIFY data the firmware
//    read), the OVMF code and variable template for UEFI;
//  - libvirt's and QEMU's versions and the QEMU binary's size and time.
// A state carries the saved domain's name and UUID, which libvirt insists on:
// each state is one of a few slots of its shape (rl-warm-<key>-<slot>), so
// scenarios running at once (--jobs) use different slots; a slot is used by
// one VM at a time in this process, and built by one process at a time (a
// lock file). Names are fixed, so warm starts need a hypervisor of their own
// (the embedded driver, one run per root).
//
// Which shapes get a state: building one costs a boot to the ready point and
// a save (a few seconds more than a cold boot), and pays only when another
// VM of the shape restores it. A run of one scenario builds every shape it
// meets, so that running it again is warm. A campaign knows its VMs before
// it starts (WarmDemand): it builds a state only for a shape it will start
// again, and boots the others cold, unless `run --warm-every-shape`.
//
// Failures never decide a verdict: a state that cannot be built or restored
// is discarded and the VM boots cold, with a note saying why.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "harness/machines/domain_xml.h"
#include "harness/machines/hypervisor.h"
#include "harness/run/run_plan.h"
#include "harness/run/vm_runner.h"

namespace restorelab::run {

struct WarmOptions {
  std::filesystem::path dir;  ///< where the states live (created when needed)
  /// The states' total size; older ones (by last use) are removed beyond it.
  std::uint64_t limit_bytes = std::uint64_t{4} << 30;
  std::string qemu_binary = "/usr/bin/qemu-system-x86_64";
  /// How many states of one shape may exist (VMs of one shape at once).
  int slots = 4;
};

class WarmStates;

/// A warm start ready to be restored; holds its slot until destroyed.
class WarmStart {
 public:
  WarmStart(WarmStart&& other) noexcept;
  WarmStart& operator=(WarmStart&&) = delete;
  ~WarmStart();

  std::string name;              ///< the state's domain name
  std::string xml;               ///< the VM's definition under the state's name and UUID
  std::filesystem::path state;   ///< the saved state
  bool built = false;            ///< the state was built for this VM (its first use)
  double build_seconds = 0;      ///< booting the shape to its ready point and saving it
  std::uint64_t state_bytes = 0;

 private:
  friend class WarmStates;
  WarmStart(WarmStates* owner, std::string key, int slot) : owner_(owner), key_(std::move(key)), slot_(slot) {}
  WarmStates* owner_;
  std::string key_;
  int slot_;
};

class WarmStates {
 public:
  explicit WarmStates(WarmOptions options) : options_(std::move(options)) {}

  /// /var/tmp/restorelab/cache/warm.
  static std::filesystem::path default_root();

  /// Whether `spec` may start warm: the hypervisor starts its kernel. The
  /// destination's boots through its firmware and loader never do.
  static bool warmable(const machines::VmSpec& spec);

  /// The shape key of `spec` (32 hex digits); an Error when a file it names
  /// cannot be read. The disks must exist.
  machines::Result<std::string> key(const machines::VmSpec& spec, machines::Hypervisor& hypervisor);

  /// A warm start of `spec`: a free slot of its shape, with its state built
  /// first when there is none and `may_build` (the shape booted to its ready
  /// point with `spec`'s disks, then saved; bounded by `limits.total`,
  /// stopped by `interrupt`). An Error says why the VM boots cold instead.
  machines::Result<WarmStart> prepare(const machines::VmSpec& spec, machines::Hypervisor& hypervisor,
                                      const std::atomic<int>& interrupt, const VmLimits& limits,
                                      bool may_build = true);

  /// True for prepare()'s answer when it built no state because it was not
  /// to (`may_build` false): a choice, not a failure to note.
  static bool declined(const machines::Error& why);

  /// Removes a state that did not restore (or misbehaved), so that the next
  /// VM of its shape builds it again.
  void discard(const WarmStart& start);

  const WarmOptions& options() const { return options_; }

 private:
  friend class WarmStart;
  void release(const std::string& key, int slot);
  machines::Result<std::string> file_hash(const std::filesystem::path& file);
  std::string slot_name(const std::string& key, int slot) const;
  std::filesystem::path slot_file(const std::string& key, int slot, std::string_view suffix) const;
  machines::Status build(const machines::VmSpec& spec, const WarmStart& w, const std::string& key, int slot,
                         machines::Hypervisor& hypervisor, const std::atomic<int>& interrupt, const VmLimits& limits);
  void evict(const std::filesystem::path& keep);

  WarmOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::set<int>> busy_;  ///< slots in use by key
  /// Content hashes by "path|size|mtime".
  std::map<std::string, std::string> hashes_;
  std::optional<std::string> versions_;
};

/// How many warmable VMs of each shape a campaign has still to start, from
/// its plans, so that it builds states only for shapes it starts again. The
/// shape here is finer than WarmStates::key (it names each disk by its
/// request instead of its size, and needs no disk to exist): two VMs it
/// calls alike always share a key; two it tells apart may still, and then
/// one state fewer is built than could be. Safe from several threads.
class WarmDemand {
 public:
  /// Counts the warmable VMs of `plan` (the remediation VMs too).
  void expect(const RunPlan& plan);
  /// Counts `vm` (of `plan`) as started; true when the campaign still
  /// expects another VM of its shape, so that a state built now is used.
  /// A VM it was never told of counts as a shape of its own.
  bool take(const RunPlan& plan, const PlannedVm& vm);

  /// The shape of `vm` as counted here.
  static std::string shape(const RunPlan& plan, const PlannedVm& vm);

 private:
  std::mutex mutex_;
  std::map<std::string, int> remaining_;
};

}  // namespace restorelab::run
