#include "rules/cross_key_rules.h"

#include <algorithm>
#include <cctype>

#include "rules/diagnostic.h"

namespace restorelab {

namespace {

using Scope = CrossKeyRule::Scope;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool valid_drive(std::string_view d) {
  return d.size() == 2 && std::isalpha(static_cast<unsigned char>(d[0])) && d[1] == ':';
}
bool valid_path(std::string_view p) { return p.size() >= 3 && valid_drive(p.substr(0, 2)) && p[2] == '\\'; }
bool kb_number(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

void add(std::vector<Problem>& out, const CrossKeyRule& r, std::string message, std::string suggestion = {}) {
  std::vector<std::string> also;
  for (const std::string& k : r.reads)
    if (k != r.key && std::find(also.begin(), also.end(), k) == also.end()) also.push_back(k);
  out.push_back({r.key, std::move(message), std::move(suggestion), std::move(also)});
}

std::string hal_of(const Machine& m) { return quoted(name_of(m.hal)); }
std::string version_of(const Machine& m) { return quoted(name_of(m.os.version)); }

// ---- a machine's hardware and OS -------------------------------------------------

void machine_rules(std::vector<CrossKeyRule>& rules, int side) {
  const std::string p = side == 0 ? "source." : "destination.";
  auto rule = [&](Scope scope, const std::string& key, std::vector<std::string> also, auto holds, auto explain) {
    std::vector<std::string> reads{p + key};
    for (auto& a : also) reads.push_back(a.starts_with("source.") ? a : p + a);
    rules.push_back({scope, side, p + key, find_key(p + key), std::move(reads), holds, explain});
  };
  rule(Scope::Machine, "cpus", {"hal"},
       [](const Scenario& s, const CrossKeyRule& r) {
         return !hal_is_uniprocessor(r.machine(s).hal) || r.machine(s).cpus == 1;
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, std::to_string(r.machine(s).cpus) + " processors contradict hal = " + hal_of(r.machine(s)) +
                         ", which runs on exactly one; expected 1",
             "use a multiprocessor HAL type for more processors");
       });
  rule(Scope::Machine, "cpus", {"hal"},
       [](const Scenario& s, const CrossKeyRule& r) {
         return !hal_is_multiprocessor(r.machine(s).hal) || r.machine(s).cpus >= 2;
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, std::to_string(r.machine(s).cpus) + " processor contradicts hal = " + hal_of(r.machine(s)) +
                         ", which needs two or more; expected 2 or more",
             "use a uniprocessor HAL type for one processor");
       });
  // The destination's OS may be the source's copy: its version is read too.
  rule(Scope::Machine, "hal", {"os.version", "source.os.version"},
       [](const Scenario& s, const CrossKeyRule& r) {
         return is_nt5(r.machine(s).os.version) || hal_has_acpi(r.machine(s).hal);
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, hal_of(r.machine(s)) + " has no ACPI, which " + version_of(r.machine(s)) +
                         " needs; expected an ACPI HAL type",
             "use \"acpi-x64\" or another acpi-* type");
       });
  rule(Scope::Machine, "firmware", {"os.version", "source.os.version"},
       [](const Scenario& s, const CrossKeyRule& r) {
         return !is_nt5(r.machine(s).os.version) || r.machine(s).firmware != Firmware::Uefi;
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, "\"uefi\" cannot start " + version_of(r.machine(s)) +
                         " (NT 5.x starts from BIOS firmware only); expected \"bios\"",
             "use windows-vista or later for UEFI");
       });
  rule(Scope::Os, "os.edition", {"os.version"},
       [](const Scenario& s, const CrossKeyRule& r) {
         return version_has_edition(r.machine(s).os.version, r.machine(s).os.edition);
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         const Os& os = r.machine(s).os;
         std::vector<std::string_view> names;
         for (Edition e : editions_of(os.version)) names.push_back(name_of(e));
         add(out, r, quoted(name_of(os.edition)) + " is not an edition of " + version_of(r.machine(s)) +
                         "; expected one of " + join_names(names),
             did_you_mean(name_of(os.edition), names));
       });
  rule(Scope::Os, "os.upgraded_from", {"os.version"},
       [](const Scenario& s, const CrossKeyRule& r) {
         const Os& os = r.machine(s).os;
         return !os.upgraded_from || *os.upgraded_from < os.version;
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, quoted(name_of(*r.machine(s).os.upgraded_from)) + " is not older than " +
                         version_of(r.machine(s)) + "; expected an earlier version");
       });
  rule(Scope::Os, "os.systemdrive", {},
       [](const Scenario& s, const CrossKeyRule& r) { return valid_drive(r.info->text(s)); },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, quoted(r.info->text(s)) + " is not a drive; expected a letter and a colon", "for example \"C:\"");
       });
  for (const char* key : {"os.systemroot", "os.ad.database", "os.ad.logs", "os.ad.frs_database", "os.ad.frs_logs"})
    rule(Scope::Os, key, {},
         [](const Scenario& s, const CrossKeyRule& r) { return valid_path(r.info->text(s)); },
         [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
           add(out, r, quoted(r.info->text(s)) + " is not an absolute Windows path; expected a drive, a colon and a "
                                                 "backslash",
               "for example 'C:\\WINDOWS' (single quotes keep backslashes)");
         });
  rule(Scope::Os, "os.hotfixes", {},
       [](const Scenario& s, const CrossKeyRule& r) {
         const auto& list = r.info->list(s);
         return std::all_of(list.begin(), list.end(), [](const std::string& h) { return kb_number(h); });
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         for (const std::string& hotfix : r.info->list(s))
           if (!kb_number(hotfix))
             add(out, r, quoted(hotfix) + " is not a KB number; expected digits only", "for example \"810161\"");
       });
}

// ---- the backup and the restore ---------------------------------------------------

void scenario_rules(std::vector<CrossKeyRule>& rules) {
  auto rule = [&](const std::string& key, std::vector<std::string> reads, auto holds, auto explain) {
    rules.push_back({Scope::Scenario, 0, key, find_key(key), std::move(reads), holds, explain});
  };
  rule("restore.after", {"restore.after", "restore.kind"},
       [](const Scenario& s, const CrossKeyRule&) {
         return s.restore.after == PriorRestore::None || s.restore.kind == RestoreKind::SystemState;
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, quoted(name_of(s.restore.after)) + " needs restore.kind = \"system-state\", not " +
                         quoted(name_of(s.restore.kind)),
             "remove restore.after or restore the system state");
       });
  rule("restore.kind", {"restore.kind", "source.os.version"},
       [](const Scenario& s, const CrossKeyRule&) {
         return s.restore.kind != RestoreKind::PushButtonReset || s.source.os.version == OsVersion::Win81 ||
                s.source.os.version == OsVersion::Win10;
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, "push-button-reset exists on windows-8.1 and windows-10 only, not on " +
                         quoted(name_of(s.source.os.version)));
       });
  // What a backup holds: system state < BMR (critical volumes) < full server;
  // a push-button reset needs none.
  rule("backup.kind", {"backup.kind", "restore.kind"},
       [](const Scenario& s, const CrossKeyRule&) {
         return s.restore.kind != RestoreKind::PushButtonReset || s.backup == BackupKind::None;
       },
       [](const Scenario&, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, "a push-button-reset restore takes no [backup] table; it reinstalls from the device's own image",
             "remove the [backup] table");
       });
  rule("backup", {"backup.kind", "restore.kind"},
       [](const Scenario& s, const CrossKeyRule&) {
         return s.restore.kind == RestoreKind::PushButtonReset || s.backup != BackupKind::None;
       },
       [](const Scenario&, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, "missing [backup] table; expected one with kind = \"system-state\", \"bmr\" or \"full-server\"");
       });
  rule("restore.kind", {"restore.kind", "backup.kind"},
       [](const Scenario& s, const CrossKeyRule&) {
         return s.restore.kind == RestoreKind::PushButtonReset || s.backup == BackupKind::None ||
                static_cast<int>(s.restore.kind) <= static_cast<int>(s.backup);
       },
       [](const Scenario& s, const CrossKeyRule& r, std::vector<Problem>& out) {
         add(out, r, "a " + quoted(name_of(s.backup)) + " backup holds no volumes for a " +
                         quoted(name_of(s.restore.kind)) + " restore",
             "use backup.kind = " + quoted(name_of(s.restore.kind)) + " or \"full-server\"");
       });
}

std::vector<CrossKeyRule> build() {
  std::vector<CrossKeyRule> rules;
  machine_rules(rules, 0);
  machine_rules(rules, 1);
  scenario_rules(rules);
  return rules;
}

}  // namespace

std::span<const CrossKeyRule> cross_key_rules() {
  static const std::vector<CrossKeyRule> rules = build();
  return rules;
}

bool relates_keys(std::string_view path) {
  for (const CrossKeyRule& r : cross_key_rules())
    if (r.reads.size() >= 2 && std::find(r.reads.begin(), r.reads.end(), path) != r.reads.end()) return true;
  return false;
}

}  // namespace restorelab
