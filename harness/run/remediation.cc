#include "harness/run/remediation.h"

#include <algorithm>

#include "harness/output/text.h"
#include "harness/run/serial_log.h"
#include "harness/store/result_fields.h"
#include "images/guest/job_vocabulary.h"

namespace restorelab::run {

namespace {

namespace vocab = vocabulary;

bool contains(const auto& list, std::string_view item) { return std::ranges::find(list, item) != list.end(); }

constexpr std::array<std::string_view, 3> kNicActions = {
    vocab::kActionRemoveNetworkAdapter, vocab::kActionDisableExtraNics, vocab::kActionReconfigureHardwareBoundApps};

}  // namespace

ActionChoice choose_actions(const std::vector<std::string>& predicted,
                            const std::optional<std::vector<std::string>>& only) {
  std::vector<std::string> wanted = only ? *only : predicted;
  std::vector<std::string> all = predicted;
  for (const std::string& a : wanted)
    if (!contains(all, a)) all.push_back(a);
  ActionChoice choice;
  // The guest's order first, then anything it does not know (skipped anyway).
  for (std::string_view a : vocab::kActionOrder) {
    if (!contains(all, a)) continue;
    (contains(wanted, a) && contains(vocab::kActionsCarriedOut, a) ? choice.apply : choice.skipped).emplace_back(a);
  }
  for (const std::string& a : all)
    if (!contains(vocab::kActionOrder, a)) choice.skipped.push_back(a);
  return choice;
}

std::optional<RemediatedLine> read_remediated(std::string_view serial) {
  const auto events = parse_serial(serial);
  const SerialEvent* line = last_event(events, vocab::kEventRemediated);
  if (line == nullptr || line->cut) return std::nullopt;
  RemediatedLine r;
  if (auto it = line->fields.find("from"); it != line->fields.end() && it->is_string()) r.from = it->get<std::string>();
  r.applied = string_list(line->fields, vocab::kFieldApplied);
  r.skipped = string_list(line->fields, vocab::kFieldSkipped);
  r.changes = string_list(line->fields, vocab::kFieldChanges);
  return r;
}

std::string_view remediation_verdict_name(RemediationResult::Kind k) {
  switch (k) {
    case RemediationResult::Kind::Fixed: return "fixed";
    case RemediationResult::Kind::NotFixed: return "not-fixed";
    case RemediationResult::Kind::None: return "none";
    case RemediationResult::Kind::Error: return "error";
  }
  return "error";
}

std::optional<RemediationResult::Kind> parse_remediation_verdict(std::string_view name) {
  for (auto k : {RemediationResult::Kind::Fixed, RemediationResult::Kind::NotFixed, RemediationResult::Kind::None,
                 RemediationResult::Kind::Error})
    if (remediation_verdict_name(k) == name) return k;
  return std::nullopt;
}

std::vector<std::string> symptoms_of(const Observation& boot, int destination_cpus) {
  std::vector<std::string> out;
  if (!boot.outcome) return out;
  if (*boot.outcome != Outcome::Boots) out.emplace_back(name_of(*boot.outcome));
  if (boots(*boot.outcome) && boot.cpus_used.value_or(0) < destination_cpus)
    out.emplace_back(name_of(ResultField::observed_cpus_used));
  if (boots(*boot.outcome) && boot.nics_orphaned.value_or(0) > 0)
    out.emplace_back(name_of(ResultField::observed_nics_orphaned));
  return out;
}

std::vector<std::string> cure_report(const Observation& before, const RemediationResult& r, int destination_cpus,
                                     const std::vector<Prescription>& prescriptions) {
  std::vector<std::string> report;
  const std::vector<std::string> after = symptoms_of(r.observed, destination_cpus);
  for (const std::string& symptom : symptoms_of(before, destination_cpus)) {
    std::string line = symptom + ":";
    bool prescribed = false;
    for (const Prescription& p : prescriptions) {
      if (!contains(p.cures, symptom)) continue;
      for (const std::string& action : p.actions) {
        line += text(" {} (rule {}) {};", action, p.rule, contains(r.applied, action) ? "applied" : "not applied");
        prescribed = true;
      }
    }
    if (!prescribed) line += " no predicted action is prescribed for it;";
    if (r.verdict == RemediationResult::Kind::Error || !r.observed.outcome) line += " not observed again";
    else line += contains(after, symptom) ? " remains" : " cured";
    report.push_back(std::move(line));
  }
  return report;
}

void judge_remediation(RemediationResult& r, int destination_cpus) {
  r.differences.clear();
  if (r.observed.failed() || !r.observed.outcome) {
    r.verdict = RemediationResult::Kind::Error;
    if (r.error.empty()) r.error = r.observed.failed() ? r.observed.error : "the remediated boot observed nothing";
    return;
  }
  // The criteria are the symptoms a boot can show; orphaned NIC
  // configuration counts only when a NIC action was applied.
  const bool nic_action = std::ranges::any_of(r.applied, [](const std::string& a) { return contains(kNicActions, a); });
  for (const std::string& symptom : symptoms_of(r.observed, destination_cpus)) {
    if (symptom == name_of(ResultField::observed_cpus_used)) {
      r.differences.push_back(text("{}: {} of {}", symptom, r.observed.cpus_used.value_or(0), destination_cpus));
    } else if (symptom == name_of(ResultField::observed_nics_orphaned)) {
      if (nic_action) r.differences.push_back(text("{}: {}", symptom, *r.observed.nics_orphaned));
    } else {
      r.differences.push_back(text("{}: {}, not boots", name_of(ResultField::observed_outcome), symptom));
    }
  }
  r.verdict = r.differences.empty() ? RemediationResult::Kind::Fixed : RemediationResult::Kind::NotFixed;
}

}  // namespace restorelab::run
