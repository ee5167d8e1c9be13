#include "harness/run/result_sink.h"

#include <cstdio>

#include "harness/output/junit.h"
#include "harness/output/text.h"
#include "harness/run/result_json.h"
#include "harness/store/result_fields.h"
#include "rules/printable.h"

namespace restorelab::run {

namespace {

// One decimal, rounded (7.96 -> "8.0").
std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", seconds);
  return buffer;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string observed_text(const Observation& o) {
  if (!o.outcome) return "nothing (the run failed)";
  std::string out(name_of(*o.outcome));
  if (!o.stop_code.empty()) out += " (" + o.stop_code + ")";
  if (o.cpus_used) out += text(", {} of {} cpu(s) online", *o.cpus_used, o.cpus_present.value_or(0));
  if (boots(*o.outcome) && (o.nics_configured || o.nics_orphaned))
    out += text(", nics configured {} orphaned {}", o.nics_configured.value_or(0), o.nics_orphaned.value_or(0));
  if (!o.evidence.empty()) out += "  [" + o.evidence + "]";
  return out;
}

/// The remediation's lines of a result's text.
std::string remediation_text(const RemediationResult& m) {
  std::string out = "  remediation " + std::string(remediation_verdict_name(m.verdict));
  if (!m.differences.empty()) out += " (" + joined(m.differences) + ")";
  if (!m.error.empty()) out += ": " + m.error;
  if (!m.note.empty()) out += ": " + m.note;
  out += "\n";
  if (!m.applied.empty()) out += "    applied   " + joined(m.applied) + (m.from.empty() ? "" : " (" + m.from + ")") + "\n";
  if (!m.skipped.empty()) out += "    skipped   " + joined(m.skipped) + "\n";
  for (const std::string& change : m.changes) out += "    change    " + change + "\n";
  for (const std::string& e : m.expected) out += "    symptom   " + e + "\n";
  if (m.observed.outcome) out += "    observed  " + observed_text(m.observed) + "\n";
  if (!m.observed.detail.empty()) out += "    detail    " + m.observed.detail + "\n";
  if (!m.timings.empty()) {
    out += "    timings  ";
    for (const auto& [k, v] : m.timings) out += " " + k + " " + seconds_text(v) + " s";
    out += "\n";
  }
  return out;
}

}  // namespace

std::string verdict_counts_text(const std::map<std::string, int>& counts) {
  std::string out;
  for (auto k : {Verdict::Kind::Agree, Verdict::Kind::KnownDeviation, Verdict::Kind::Disagree, Verdict::Kind::Flaky,
                 Verdict::Kind::Error}) {
    auto it = counts.find(std::string(verdict_name(k)));
    if (it == counts.end() || it->second == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + std::string(verdict_name(k));
  }
  return out.empty() ? "nothing" : out;
}

std::string result_text(const ScenarioResult& r) {
  std::string out = r.id;
  if (!r.file.empty()) out += "  (" + r.file + ")";
  out += "\n";
  switch (r.verdict.kind) {
    case Verdict::Kind::Agree: out += "  verdict     AGREE\n"; break;
    case Verdict::Kind::Disagree: out += "  verdict     DISAGREE (" + joined(r.verdict.differences) + ")\n"; break;
    case Verdict::Kind::KnownDeviation:
      out += "  verdict     KNOWN DEVIATION " + r.deviation + " (" + joined(r.verdict.differences) + ")\n";
      break;
    case Verdict::Kind::Flaky: {
      const auto outcomes = r.attempts.empty() ? r.attempt_outcomes : attempt_outcome_names(r.attempts);
      out += "  verdict     FLAKY (attempts saw " + joined(outcomes) + ")\n";
      break;
    }
    case Verdict::Kind::Error: out += "  verdict     ERROR: " + r.verdict.error + "\n"; break;
  }
  out += "  predicted   " + std::string(name_of(r.predicted.outcome));
  if (r.predicted.cpus_used) out += text(", {} cpu(s)", *r.predicted.cpus_used);
  out += r.predicted.supported ? " (supported)\n" : " (not supported)\n";
  out += "  observed    " + observed_text(r.observed) + "\n";
  if (!r.observed.detail.empty()) out += "  detail      " + r.observed.detail + "\n";
  if (r.reused) {
    out += "  reused      the observation of run " + std::to_string(r.reused_from.value_or(0)) + " (no VM started)\n";
  } else if (r.timings.empty() && r.evidence.empty()) {
    out += "  timings     none (no VM started)\n";
  } else {
    out += "  timings     ";
    bool first = true;
    for (ResultField f : {ResultField::timing_source, ResultField::timing_restore, ResultField::timing_destination,
                          ResultField::timing_total}) {
      auto it = r.timings.find(std::string(name_of(f)));
      if (it == r.timings.end()) continue;
      out += (first ? "" : ", ") + it->first + " " + seconds_text(it->second) + " s";
      if (f == ResultField::timing_source && r.source_cached) out += " (cached)";
      first = false;
    }
    out += " (" + r.accelerator + ")";
    if (r.attempt_count > 1) out += text(", {} attempts", r.attempt_count);
    out += "\n";
  }
  if (r.remediation) out += remediation_text(*r.remediation);
  if (!r.evidence.empty()) out += "  evidence    " + r.evidence + "\n";
  return out;
}

OutputStatus TextSink::add(const ScenarioResult& r) {
  // Ids, details, paths and errors are data (a store's, a guest's): their
  // control characters are shown escaped, never sent to the terminal.
  out_ << escape_control_characters(result_text(r), true) << "\n" << std::flush;
  return {};
}

OutputStatus TextSink::finish(const RunSummary& summary) {
  out_ << summary.results.size() << " scenario" << (summary.results.size() == 1 ? "" : "s") << ": "
       << verdict_counts_text(count_verdicts(summary.results));
  if (summary.interrupted) out_ << " (interrupted: the rest did not run)";
  std::map<std::string, int> remediations;
  for (const ScenarioResult& r : summary.results)
    if (r.remediation) ++remediations[std::string(remediation_verdict_name(r.remediation->verdict))];
  if (!remediations.empty()) {
    out_ << "; remediation:";
    const char* separator = " ";
    for (const auto& [verdict, count] : remediations) {
      out_ << separator << count << " " << verdict;
      separator = ", ";
    }
  }
  out_ << "\n";
  out_ << std::flush;
  return {};
}

OutputStatus JsonLinesSink::add(const ScenarioResult& r) {
  out_ << result_json_line(r) << std::flush;
  return {};
}

OutputStatus JunitSink::finish(const RunSummary& summary) {
  JunitSuite suite{"restorelab run", summary.seconds, {}, {}};
  if (summary.run > 0) suite.properties.emplace_back("run", std::to_string(summary.run));
  if (!summary.accelerator.empty()) suite.properties.emplace_back("accelerator", summary.accelerator);
  for (const ScenarioResult& r : summary.results) {
    JunitCase c;
    c.classname = "restorelab.run";
    c.name = r.id;
    c.file = r.file;
    if (auto it = r.timings.find(std::string(name_of(ResultField::timing_total))); it != r.timings.end() && !r.reused)
      c.seconds = it->second;
    const std::string observed = r.observed.outcome ? std::string(name_of(*r.observed.outcome)) : "nothing";
    switch (r.verdict.kind) {
      case Verdict::Kind::Agree: break;
      case Verdict::Kind::KnownDeviation:
        c.output = "known deviation " + r.deviation + ": predicted " + std::string(name_of(r.predicted.outcome)) +
                   ", observed " + observed + "\n";
        break;
      case Verdict::Kind::Disagree:
        c.failure_type = "disagree";
        c.failure_message = "differs in " + joined(r.verdict.differences) + ": predicted " +
                            std::string(name_of(r.predicted.outcome)) + ", observed " + observed;
        break;
      case Verdict::Kind::Flaky:
        c.failure_type = "flaky";
        c.failure_message = "attempts saw " +
                            joined(r.attempts.empty() ? r.attempt_outcomes : attempt_outcome_names(r.attempts));
        break;
      case Verdict::Kind::Error:
        c.error_type = "infrastructure";
        c.error_message = r.verdict.error;
        break;
    }
    if (const auto& m = r.remediation; m && c.failure_type.empty() && c.error_type.empty()) {
      if (m->verdict == RemediationResult::Kind::NotFixed) {
        c.failure_type = "not-fixed";
        c.failure_message = "remediation (" + joined(m->applied) + ") did not fix it: " + joined(m->differences);
      } else if (m->verdict == RemediationResult::Kind::Error) {
        c.error_type = "infrastructure";
        c.error_message = "remediation: " + m->error;
      }
    }
    if (r.remediation)
      c.output += text("{}: {}\n", name_of(ResultField::remediation), remediation_verdict_name(r.remediation->verdict));
    c.output += text("{}: {}{}", name_of(ResultField::evidence), r.evidence, r.reused ? " (reused)" : "");
    suite.cases.push_back(std::move(c));
  }
  return write_output_file(path_, junit_xml(suite));
}

}  // namespace restorelab::run
