#include "images/guest/hal.h"

#include <algorithm>

#include "images/guest/job_vocabulary.h"

namespace restorelab::guest {
namespace {

namespace vocab = vocabulary;

bool SameFamily(std::string_view a, std::string_view b) {
  auto in = [&](std::string_view x, std::string_view y) {
    return (a == x && b == y) || (a == y && b == x);
  };
  return in(vocab::kHalAcpiUniprocessor, vocab::kHalAcpiMultiprocessor) ||
         in(vocab::kHalMpsUniprocessor, vocab::kHalMpsMultiprocessor);
}

}  // namespace

bool IsKnownHal(std::string_view hal) { return std::ranges::find(vocab::kHalTypes, hal) != vocab::kHalTypes.end(); }

std::string DetectHal(const PlatformFacts& facts, bool vista_or_later) {
  if (vista_or_later) return std::string(vocab::kHalAcpiX64);
  bool multi = facts.processors > 1;
  if (facts.acpi) {
    if (!facts.apic) return std::string(vocab::kHalAcpiPc);
    return std::string(multi ? vocab::kHalAcpiMultiprocessor : vocab::kHalAcpiUniprocessor);
  }
  if (!facts.apic) return std::string(vocab::kHalStandardPc);
  return std::string(multi ? vocab::kHalMpsMultiprocessor : vocab::kHalMpsUniprocessor);
}

bool IsNt5(std::string_view os_version) {
  return std::ranges::find(vocab::kNt5Versions, os_version) != vocab::kNt5Versions.end();
}

bool HalHasAcpi(std::string_view hal) { return hal.starts_with("acpi-"); }

bool HalIsUniprocessor(std::string_view hal) {
  return hal == vocab::kHalStandardPc || hal == vocab::kHalMpsUniprocessor || hal == vocab::kHalAcpiPc ||
         hal == vocab::kHalAcpiUniprocessor;
}

HalVerdict CheckHal(std::string_view installed, std::string_view machine) {
  if (installed == machine) return HalVerdict::kIdentical;
  if (SameFamily(installed, machine)) return HalVerdict::kCompatible;
  if (HalHasAcpi(installed) && !HalHasAcpi(machine)) return HalVerdict::kStopA5;
  if (!HalHasAcpi(installed) && HalHasAcpi(machine)) return HalVerdict::kHang;
  return HalVerdict::kStop79;
}

std::string_view HalVerdictName(HalVerdict verdict) {
  switch (verdict) {
    case HalVerdict::kIdentical: return "identical";
    case HalVerdict::kCompatible: return "compatible";
    case HalVerdict::kStopA5: return vocab::kOutcomeStop0xA5;
    case HalVerdict::kHang: return vocab::kOutcomeHang;
    case HalVerdict::kStop79: return vocab::kOutcomeStop0x79;
  }
  return "unknown";
}

}  // namespace restorelab::guest
