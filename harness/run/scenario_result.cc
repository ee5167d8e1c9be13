#include "harness/run/scenario_result.h"

#include "harness/run/prediction_report.h"

namespace restorelab::run {

PredictedSummary summarize(const Prediction& p, const Rulebook& book) {
  PredictedSummary s;
  s.supported = p.supported;
  s.outcome = p.outcome;
  s.cpus_used = p.cpus_used;
  for (auto name : action_names(p.actions)) s.actions.emplace_back(name);
  for (auto index : p.fired) {
    s.rules.push_back(book.rules[index].id);
    s.reasons.push_back(book.rules[index].cite);
  }
  return s;
}

std::map<std::string, int> count_verdicts(const std::vector<ScenarioResult>& results) {
  std::map<std::string, int> counts;
  for (const ScenarioResult& r : results) ++counts[std::string(verdict_name(r.verdict.kind))];
  return counts;
}

int exit_status(const std::vector<ScenarioResult>& results) {
  int worst = 0;
  for (const ScenarioResult& r : results) {
    switch (r.verdict.kind) {
      case Verdict::Kind::Agree:
      case Verdict::Kind::KnownDeviation: break;
      case Verdict::Kind::Disagree:
      case Verdict::Kind::Flaky: worst = std::max(worst, 1); break;
      case Verdict::Kind::Error: worst = 3; break;
    }
    if (r.remediation) {
      if (r.remediation->verdict == RemediationResult::Kind::Error) worst = 3;
      else if (r.remediation->verdict == RemediationResult::Kind::NotFixed) worst = std::max(worst, 1);
    }
  }
  return worst;
}

}  // namespace restorelab::run
