#include "rules/validate.h"

#include <cctype>

#include "rules/diagnostic.h"

namespace restorelab {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

/// Where checks report. Problems are made only when they are kept: the matrix
/// asks millions of times whether a scenario is valid and needs no message.
class Sink {
 public:
  explicit Sink(std::vector<Problem>* keep) : keep_(keep) {}
  template <class Make>
  void add(Make&& make) {
    failed_ = true;
    if (keep_) keep_->push_back(make());
  }
  bool failed() const { return failed_; }

 private:
  std::vector<Problem>* keep_;
  bool failed_ = false;
};

bool valid_drive(std::string_view d) {
  return d.size() == 2 && std::isalpha(static_cast<unsigned char>(d[0])) && d[1] == ':';
}
bool valid_path(std::string_view p) {
  return p.size() >= 3 && valid_drive(p.substr(0, 2)) && p[2] == '\\';
}

void check_machine(const Machine& m, const std::string& side, bool check_os, Sink& out) {
  // Messages are built only when a check fails: the matrix validates millions.
  auto hal = [&] { return quoted(name_of(m.hal)); };
  if (hal_is_uniprocessor(m.hal) && m.cpus != 1)
    out.add([&] { return Problem{side + ".cpus",
                   std::to_string(m.cpus) + " processors contradict hal = " + hal() +
                       ", which runs on exactly one; expected 1",
                   "use a multiprocessor HAL type for more processors", {side + ".hal"}}; });
  if (hal_is_multiprocessor(m.hal) && m.cpus < 2)
    out.add([&] { return Problem{side + ".cpus",
                   std::to_string(m.cpus) + " processor contradicts hal = " + hal() +
                       ", which needs two or more; expected 2 or more",
                   "use a uniprocessor HAL type for one processor", {side + ".hal"}}; });
  const Os& os = m.os;
  auto version = [&] { return quoted(name_of(os.version)); };
  if (!is_nt5(os.version) && !hal_has_acpi(m.hal))
    out.add([&] { return Problem{side + ".hal",
                   hal() + " has no ACPI, which " + version() + " needs; expected an ACPI HAL type",
                   "use \"acpi-x64\" or another acpi-* type", {side + ".os.version", "source.os.version"}}; });
  if (is_nt5(os.version) && m.firmware == Firmware::Uefi)
    out.add([&] { return Problem{side + ".firmware",
                   "\"uefi\" cannot start " + version() +
                       " (NT 5.x starts from BIOS firmware only); expected \"bios\"",
                   "use windows-vista or later for UEFI", {side + ".os.version", "source.os.version"}}; });
  // A copied [source.os] was checked on the source.
  if (!check_os) return;
  if (!version_has_edition(os.version, os.edition)) [[unlikely]] {
    std::vector<std::string_view> names;
    for (Edition e : editions_of(os.version)) names.push_back(name_of(e));
    out.add([&] { return Problem{side + ".os.edition",
                   quoted(name_of(os.edition)) + " is not an edition of " + version() +
                       "; expected one of " + join_names(names),
                   did_you_mean(name_of(os.edition), names), {side + ".os.version"}}; });
  }
  if (os.upgraded_from && *os.upgraded_from >= os.version)
    out.add([&] { return Problem{side + ".os.upgraded_from",
                   quoted(name_of(*os.upgraded_from)) + " is not older than " + version() +
                       "; expected an earlier version",
                   ""}; });
  if (!valid_drive(os.systemdrive))
    out.add([&] { return Problem{side + ".os.systemdrive",
                   quoted(os.systemdrive) + " is not a drive; expected a letter and a colon",
                   "for example \"C:\""}; });
  const std::pair<const char*, const std::string*> paths[] = {
      {"systemroot", &os.systemroot}, {"ad.database", &os.ad.database},
      {"ad.logs", &os.ad.logs},       {"ad.frs_database", &os.ad.frs_database},
      {"ad.frs_logs", &os.ad.frs_logs}};
  for (const auto& [key, value] : paths)
    if (!valid_path(*value))
      out.add([&] { return Problem{side + ".os." + key,
                     quoted(*value) + " is not an absolute Windows path; expected a drive, "
                                      "a colon and a backslash",
                     "for example 'C:\\WINDOWS' (single quotes keep backslashes)"}; });
  for (const std::string& hotfix : os.hotfixes) {
    bool digits = !hotfix.empty();
    for (char c : hotfix) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits)
      out.add([&] { return Problem{side + ".os.hotfixes",
                     quoted(hotfix) + " is not a KB number; expected digits only",
                     "for example \"810161\""}; });
  }
}

void check(const Scenario& s, bool check_name, Sink& out) {
  if (check_name && !valid_name(s.name))
    out.add([&] { return Problem{"scenario.name",
                   quoted(s.name) + " is not a valid name; expected lower-case letters, digits, "
                                    "'.', '_' and '-'",
                   ""}; });
  const bool pbr = s.restore.kind == RestoreKind::PushButtonReset;
  check_machine(s.source, "source", true, out);
  if (!s.defaulted.destination_machine)
    check_machine(s.destination, "destination", !s.defaulted.destination_os, out);

  if (s.restore.after != PriorRestore::None && s.restore.kind != RestoreKind::SystemState)
    out.add([&] { return Problem{"restore.after",
                   "\"" + std::string(name_of(s.restore.after)) +
                       "\" needs restore.kind = \"system-state\", not \"" +
                       std::string(name_of(s.restore.kind)) + "\"",
                   "remove restore.after or restore the system state", {"restore.kind"}}; });
  if (pbr) {
    if (s.source.os.version != OsVersion::Win81 && s.source.os.version != OsVersion::Win10)
      out.add([&] { return Problem{"restore.kind",
                     "push-button-reset exists on windows-8.1 and windows-10 only, not on \"" +
                         std::string(name_of(s.source.os.version)) + "\"",
                     "", {"source.os.version"}}; });
    if (s.backup != BackupKind::None)
      out.add([&] { return Problem{"backup.kind",
                     "a push-button-reset restore takes no [backup] table; it reinstalls from the "
                     "device's own image",
                     "remove the [backup] table"}; });
  } else if (s.backup == BackupKind::None) {
    out.add([&] { return Problem{"backup", "missing [backup] table; expected one with kind = \"system-state\", "
                             "\"bmr\" or \"full-server\"",
                   "", {"restore.kind"}}; });
  } else {
    // What a backup holds: system state < BMR (critical volumes) < full server.
    const int holds = static_cast<int>(s.backup);
    const int needs = static_cast<int>(s.restore.kind);
    if (needs > holds)
      out.add([&] { return Problem{"restore.kind",
                     "a \"" + std::string(name_of(s.backup)) + "\" backup holds no volumes for a \"" +
                         std::string(name_of(s.restore.kind)) + "\" restore",
                     "use backup.kind = \"" + std::string(name_of(s.restore.kind)) +
                         "\" or \"full-server\"", {"backup.kind"}}; });
  }
  if (s.expect && s.expect->cpus_used && *s.expect->cpus_used < 1)
    out.add([&] { return Problem{"expect.cpus_used", "expected 1 or more", ""}; });
}

}  // namespace

std::vector<Problem> validate(const Scenario& s) {
  std::vector<Problem> problems;
  Sink sink(&problems);
  check(s, true, sink);
  return problems;
}

bool is_valid(const Scenario& s) {
  Sink sink(nullptr);
  check(s, false, sink);
  return !sink.failed();
}

}  // namespace restorelab
