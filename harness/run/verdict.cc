#include "harness/run/verdict.h"

#include "harness/store/result_fields.h"

namespace restorelab::run {

std::string_view verdict_name(Verdict::Kind k) {
  switch (k) {
    case Verdict::Kind::Agree: return "agree";
    case Verdict::Kind::Disagree: return "disagree";
    case Verdict::Kind::KnownDeviation: return "known-deviation";
    case Verdict::Kind::Flaky: return "flaky";
    case Verdict::Kind::Error: return "error";
  }
  return "error";
}

std::optional<Verdict::Kind> parse_verdict(std::string_view name) {
  for (auto k : {Verdict::Kind::Agree, Verdict::Kind::Disagree, Verdict::Kind::KnownDeviation, Verdict::Kind::Flaky,
                 Verdict::Kind::Error})
    if (verdict_name(k) == name) return k;
  return std::nullopt;
}

Verdict judge(const Prediction& predicted, const Observation& observed) {
  Verdict v;
  if (observed.failed()) {
    v.error = observed.error;
    return v;
  }
  if (!observed.outcome) {
    v.error = "the run ended without observing an outcome";
    return v;
  }
  if (*observed.outcome != predicted.outcome) v.differences.emplace_back(name_of(ResultField::observed_outcome));
  const bool boots = restorelab::boots(*observed.outcome);
  if ((boots || predicted.boots()) && observed.cpus_used != predicted.cpus_used)
    v.differences.emplace_back(name_of(ResultField::observed_cpus_used));
  v.kind = v.differences.empty() ? Verdict::Kind::Agree : Verdict::Kind::Disagree;
  return v;
}

}  // namespace restorelab::run
