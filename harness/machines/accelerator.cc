#include "harness/machines/accelerator.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <sstream>

#include "harness/machines/process.h"
#include "harness/output/text.h"
#include "rules/unique_fd.h"

namespace restorelab::machines {
namespace {

using Clock = std::chrono::steady_clock;

// Assembled from (GNU as, .code16 at 0xfffff000):
//   gdt: null; 0x08 flat 32-bit code; 0x10 flat data; 0x18 64-bit code
//   gdtr: limit 31, base 0xfffff000
//   entry16: cli; lgdtl %cs:(gdtr); cr0.PE=1; ljmpl $0x08, entry32
//   entry32: ds=es=ss=0x10; finit
//            clear 16 KiB at 0x1000; PML4[0]->0x2000; PDPT[0]->0x3000,
//            PDPT[3]->0x4000; PD 0x3000[0] = 2 MiB page at 0;
//            PD 0x4000[511] = 2 MiB page at 0xffe00000
//            cr4 |= PAE|OSFXSR|OSXMMEXCPT; cr3 = 0x1000; EFER.LME = 1;
//            cr0 = (cr0 & ~EM) | PG | MP; ljmp $0x18, entry64
//   entry64: finit; xorps %xmm0,%xmm0; addps %xmm0,%xmm0;
//            mov $0x10,%al; out %al,$0xf4; 1: hlt; jmp 1b
// placed at offset 0xf000 of the image; at 0xfff0 (the reset vector):
//   jmp entry16
constexpr std::array<std::uint8_t, 211> kProbeCode = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b, 0xcf,
    0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b,
    0xaf, 0x00, 0x1f, 0x00, 0x00, 0xf0, 0xff, 0xff, 0xfa, 0x2e, 0x66, 0x0f, 0x01, 0x16, 0x20,
    0xf0, 0x0f, 0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea, 0x40, 0xf0,
    0xff, 0xff, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0x9b,
    0xdb, 0xe3, 0x31, 0xc0, 0xbf, 0x00, 0x10, 0x00, 0x00, 0xb9, 0x00, 0x10, 0x00, 0x00, 0xf3,
    0xab, 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x03, 0x20, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x20,
    0x00, 0x00, 0x03, 0x30, 0x00, 0x00, 0xc7, 0x05, 0x18, 0x20, 0x00, 0x00, 0x03, 0x40, 0x00,
    0x00, 0xc7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00, 0xc7, 0x05, 0xf8, 0x4f,
    0x00, 0x00, 0x83, 0x00, 0xe0, 0xff, 0x0f, 0x20, 0xe0, 0x0d, 0x20, 0x06, 0x00, 0x00, 0x0f,
    0x22, 0xe0, 0xb8, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x22, 0xd8, 0xb9, 0x80, 0x00, 0x00, 0xc0,
    0x0f, 0x32, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30, 0x0f, 0x20, 0xc0, 0x83, 0xe0, 0xfb,
    0x0d, 0x02, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xea, 0xc3, 0xf0, 0xff, 0xff, 0x18, 0x00,
    0x9b, 0xdb, 0xe3, 0x0f, 0x57, 0xc0, 0x0f, 0x58, 0xc0, 0xb0, 0x10, 0xe6, 0xf4, 0xf4, 0xeb,
    0xfd};
constexpr std::array<std::uint8_t, 3> kResetVector = {0xe9, 0x33, 0xf0};  // jmp entry16
constexpr int kPassStatus = (0x10 << 1) | 1;  // isa-debug-exit: (value << 1) | 1

/// The first line of QEMU's output that says what went wrong, skipping
/// warnings about CPU features.
std::string first_problem(const std::string& output) {
  std::istringstream in(output);
  std::string line, fallback;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.find("warning:") != std::string::npos) {
      if (fallback.empty()) fallback = line;
      continue;
    }
    return line;
  }
  return fallback;
}

}  // namespace

std::string_view accelerator_name(Accelerator a) { return a == Accelerator::Kvm ? "kvm" : "tcg"; }

DomainType domain_type_for(Accelerator a) {
  return a == Accelerator::Kvm ? DomainType::Kvm : DomainType::Qemu;
}

std::vector<std::uint8_t> probe_firmware() {
  std::vector<std::uint8_t> image(64 * 1024, 0);
  std::copy(kProbeCode.begin(), kProbeCode.end(), image.begin() + 0xf000);
  std::copy(kResetVector.begin(), kResetVector.end(), image.begin() + 0xfff0);
  return image;
}

bool AcceleratorChoice::kvm_refused() const {
  return std::ranges::any_of(probes, [](const auto& p) { return p.first == Accelerator::Kvm && !p.second.passed; });
}

std::string AcceleratorChoice::plain() const {
  if (accelerator == Accelerator::Kvm) return "kvm: hardware virtualization";
  return kvm_refused() ? "tcg: QEMU's software emulation, as KVM cannot run guests on this host"
                       : "tcg: QEMU's software emulation";
}

std::string AcceleratorChoice::probes_text() const {
  std::string s;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (i > 0) s += "; ";
    s += text("{} probe: {} after {} ms", accelerator_name(probes[i].first), probes[i].second.detail,
              probes[i].second.took.count());
  }
  return s;
}

QemuProbeRunner::QemuProbeRunner(std::string qemu) : qemu_(std::move(qemu)) {}

ProbeOutcome QemuProbeRunner::run(Accelerator accel, std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  auto took = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  };
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  std::string firmware_path = (dir / "restorelab-probe-XXXXXX").string();
  UniqueFd fd(mkstemp(firmware_path.data()));
  if (fd.get() < 0) return {false, "cannot create a temporary file in " + dir.string(), took()};
  const auto image = probe_firmware();
  const bool written =
      write(fd.get(), image.data(), image.size()) == static_cast<ssize_t>(image.size()) && fd.close() == 0;
  struct Cleanup {
    std::string path;
    ~Cleanup() { std::filesystem::remove(path); }
  } cleanup{firmware_path};
  if (!written) return {false, "cannot write " + firmware_path, took()};

  ProcessOptions options{.timeout = timeout};
  // After a KVM internal error the guest hangs instead of exiting.
  options.stop_when = [](std::string_view output) { return output.find("internal error") != std::string_view::npos; };
  auto ran = run_process({qemu_, "-accel", std::string(accelerator_name(accel)), "-machine", "pc", "-cpu", "qemu64",
                          "-nodefaults", "-no-user-config", "-display", "none", "-m", "16", "-bios", firmware_path,
                          "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"},
                         options);
  if (!ran) {
    if (took() >= timeout) return {false, text("no exit within {} ms", timeout.count()), took()};
    return {false, ran.error().message, took()};
  }
  if (ran->stopped) return {false, first_problem(ran->output), took()};
  if (ran->exit_code == kPassStatus) return {true, text("exit status {}", kPassStatus), took()};
  std::string why = first_problem(ran->output);
  if (why.empty())
    why = ran->exit_code > 128 ? text("killed by signal {}", ran->exit_code - 128)
                               : text("exit status {}", ran->exit_code);
  return {false, why, took()};
}

Result<AcceleratorChoice> choose_accelerator(ProbeRunner& runner, AcceleratorPreference preference,
                                             std::chrono::milliseconds timeout) {
  std::vector<Accelerator> candidates;
  switch (preference) {
    case AcceleratorPreference::Auto: candidates = {Accelerator::Kvm, Accelerator::Tcg}; break;
    case AcceleratorPreference::Kvm: candidates = {Accelerator::Kvm}; break;
    case AcceleratorPreference::Tcg: candidates = {Accelerator::Tcg}; break;
  }
  AcceleratorChoice choice;
  for (Accelerator a : candidates) {
    choice.probes.emplace_back(a, runner.run(a, timeout));
    if (choice.probes.back().second.passed) {
      choice.accelerator = a;
      return choice;
    }
  }
  std::string why = "no accelerator can run the probe guest:";
  for (const auto& [a, outcome] : choice.probes)
    why += text(" {}: {} after {} ms;", accelerator_name(a), outcome.detail, outcome.took.count());
  why.pop_back();
  return std::unexpected(make_error(why));
}

Result<AcceleratorChoice> detect_accelerator(AcceleratorPreference preference) {
  static std::mutex mutex;
  static std::map<AcceleratorPreference, Result<AcceleratorChoice>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(preference); it != cache.end()) return it->second;
  QemuProbeRunner runner;
  auto choice = choose_accelerator(runner, preference);
  cache.emplace(preference, choice);
  return choice;
}

}  // namespace restorelab::machines
