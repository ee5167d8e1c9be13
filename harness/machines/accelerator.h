// KVM or TCG, decided by running a probe guest, never by /dev/kvm existing:
// a /dev/kvm can belong to a layer that cannot run ordinary x86 guests (here
// kvm-pvm, whose emulator stops with "KVM internal error" at the first x87
// instruction of 32-bit code, which OVMF and every OS execute).
//
// The probe guest is a 64 KiB firmware image that goes from real mode to
// 32-bit protected mode (x87 FINIT), enables PAE paging and long mode, runs
// FINIT and SSE there and writes to QEMU's isa-debug-exit port; QEMU then
// exits with status 33. Under TCG it takes about 50 ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/machines/domain_xml.h"
#include "harness/machines/error.h"

namespace restorelab::machines {

enum class Accelerator : std::uint8_t { Kvm, Tcg };
/// "kvm" or "tcg".
std::string_view accelerator_name(Accelerator a);
/// The libvirt domain type that runs guests with `a`.
DomainType domain_type_for(Accelerator a);

/// What running the probe guest under one accelerator did.
struct ProbeOutcome {
  bool passed = false;     ///< the guest reached the end and QEMU exited with 33
  std::string detail;      ///< e.g. "exit status 33", "KVM internal error. Suberror: 1"
  std::chrono::milliseconds took{0};
  bool operator==(const ProbeOutcome&) const = default;
};

/// Runs the probe guest: the side effect behind the accelerator decision.
class ProbeRunner {
 public:
  virtual ~ProbeRunner() = default;
  /// Runs the probe under `accel`, giving up (and killing QEMU) after `timeout`.
  virtual ProbeOutcome run(Accelerator accel, std::chrono::milliseconds timeout) = 0;
};

/// Runs `QEMU -accel kvm|tcg -machine pc -nodefaults -display none -m 16
/// -bios PROBE -device isa-debug-exit` as a child process. The firmware image
/// is written to a temporary file and removed afterwards. Ends early when QEMU
/// reports a KVM internal error (the guest would hang, not exit).
class QemuProbeRunner final : public ProbeRunner {
 public:
  explicit QemuProbeRunner(std::string qemu = "qemu-system-x86_64");
  ProbeOutcome run(Accelerator accel, std::chrono::milliseconds timeout) override;

 private:
  std::string qemu_;
};

/// `--accel auto|kvm|tcg`.
enum class AcceleratorPreference : std::uint8_t { Auto, Kvm, Tcg };

struct AcceleratorChoice {
  Accelerator accelerator = Accelerator::Tcg;
  /// The probes that ran, in order, with their outcomes.
  std::vector<std::pair<Accelerator, ProbeOutcome>> probes;
  /// Which accelerator runs, in plain words, without the probes' details:
  /// `kvm: hardware virtualization`, `tcg: QEMU's software emulation, as KVM
  /// cannot run guests on this host` (a KVM probe failed) or `tcg: QEMU's
  /// software emulation` (KVM was not asked for).
  std::string plain() const;
  /// Why: each probe with its outcome, `kvm probe: KVM internal error.
  /// Suberror: 1 after 38 ms; tcg probe: exit status 33 after 51 ms`.
  std::string probes_text() const;
  /// True when a KVM probe ran and failed (so TCG runs although KVM was wanted).
  bool kvm_refused() const;
};

/// The probe's time limit; a working accelerator finishes far sooner.
inline constexpr std::chrono::milliseconds kProbeTimeout{1500};

/// Auto: KVM when its probe passes, else TCG when its probe passes.
/// Kvm / Tcg: that accelerator when its probe passes. An Error when no
/// allowed accelerator passed (then nothing can run VMs), naming each probe.
Result<AcceleratorChoice> choose_accelerator(ProbeRunner& runner, AcceleratorPreference preference,
                                             std::chrono::milliseconds timeout = kProbeTimeout);

/// choose_accelerator() with a QemuProbeRunner, run once per process and
/// preference and then answered from a cache. Thread-safe.
Result<AcceleratorChoice> detect_accelerator(
    AcceleratorPreference preference = AcceleratorPreference::Auto);

/// The probe guest's firmware image (64 KiB, reset vector at the end).
std::vector<std::uint8_t> probe_firmware();

}  // namespace restorelab::machines
