#include "harness/run/run_report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "harness/output/json_writer.h"
#include "harness/output/text.h"
#include "harness/cli/prediction_report.h"
#include "harness/cli/rule_tests.h"

namespace restorelab::run {


namespace {

double tenths(double s) { return std::round(s * 10) / 10; }

template <class T>
void optional_int(JsonWriter& json, std::string_view key, const std::optional<T>& v) {
  json.key(key);
  if (v) json.value(static_cast<std::int64_t>(*v));
  else json.null();
}

std::string evidence_path(const ScenarioRun& run) {
  std::error_code ec;
  auto rel = std::filesystem::relative(run.evidence, std::filesystem::current_path(), ec);
  std::string p = (ec || rel.empty() || rel.string().starts_with("..")) ? run.evidence.string() : rel.string();
  if (!p.ends_with('/')) p += '/';
  return p;
}

// One decimal, rounded (7.96 -> "8.0").
std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", seconds);
  return buffer;
}

}  // namespace

std::string run_json_line(const ScenarioReport& r) {
  std::string out;
  JsonWriter json(out);
  const Observation& o = r.run.observation;
  json.begin_object();
  json.key("scenario").value(r.scenario.name);
  json.key("predicted").begin_object();
  json.key("supported").value(r.predicted.supported);
  json.key("outcome").value(name_of(r.predicted.outcome));
  optional_int(json, "cpus_used", r.predicted.cpus_used);
  json.key("actions").strings(action_names(r.predicted.actions));
  json.end_object();
  json.key("observed").begin_object();
  json.key("outcome");
  if (o.outcome) json.value(name_of(*o.outcome));
  else json.null();
  json.key("stop_code");
  if (o.stop_code.empty()) json.null();
  else json.value(o.stop_code);
  optional_int(json, "cpus_used", o.cpus_used);
  optional_int(json, "cpus_present", o.cpus_present);
  optional_int(json, "nics_configured", o.nics_configured);
  optional_int(json, "nics_orphaned", o.nics_orphaned);
  optional_int(json, "nics_unconfigured", o.nics_unconfigured);
  json.key("mac_changed").strings(o.mac_changed);
  json.key("degraded").strings(o.degraded);
  if (!o.detail.empty()) json.key("detail").value(o.detail);
  if (!o.evidence.empty()) json.key("seen").value(o.evidence);
  json.end_object();
  json.key("verdict").value(verdict_name(r.verdict.kind));
  if (r.verdict.kind == Verdict::Kind::Error) json.key("error").value(r.verdict.error);
  json.key("differences").strings(r.verdict.differences);
  json.key("accelerator").value(r.accelerator);
  json.key("timings_s").begin_object();
  for (const char* k : {"source", "recovery", "destination", "total"}) {
    auto it = r.run.timings.find(k);
    if (it != r.run.timings.end()) json.key(k).value(tenths(it->second));
  }
  json.end_object();
  json.key("source_cached").value(r.run.source_cached);
  json.key("evidence").value(evidence_path(r.run));
  json.end_object();
  out += '\n';
  return out;
}

std::string run_text(const ScenarioReport& r) {
  const Observation& o = r.run.observation;
  std::string out = r.scenario.name;
  if (!r.scenario.file.empty()) out += "  (" + r.scenario.file + ")";
  out += "\n";
  switch (r.verdict.kind) {
    case Verdict::Kind::Agree: out += "  verdict     AGREE\n"; break;
    case Verdict::Kind::Disagree: {
      std::string fields;
      for (const auto& d : r.verdict.differences) fields += (fields.empty() ? "" : ", ") + d;
      out += "  verdict     DISAGREE (" + fields + ")\n";
      break;
    }
    case Verdict::Kind::Error: out += "  verdict     ERROR: " + r.verdict.error + "\n"; break;
  }
  out += "  predicted   " + std::string(name_of(r.predicted.outcome));
  if (r.predicted.cpus_used) out += text(", {} cpu(s)", *r.predicted.cpus_used);
  out += r.predicted.supported ? " (supported)\n" : " (not supported)\n";
  out += "  observed    ";
  if (o.outcome) {
    out += std::string(name_of(*o.outcome));
    if (!o.stop_code.empty()) out += " (" + o.stop_code + ")";
    if (o.cpus_used) out += text(", {} of {} cpu(s) online", *o.cpus_used, o.cpus_present.value_or(0));
    if (o.nics_configured || o.nics_orphaned)
      out += text(", nics configured {} orphaned {}", o.nics_configured.value_or(0), o.nics_orphaned.value_or(0));
    if (!o.evidence.empty()) out += "  [" + o.evidence + "]";
  } else {
    out += "nothing (the run failed)";
  }
  out += "\n";
  if (!o.detail.empty()) out += "  detail      " + o.detail + "\n";
  out += "  timings     ";
  bool first = true;
  for (const char* k : {"source", "recovery", "destination", "total"}) {
    auto it = r.run.timings.find(k);
    if (it == r.run.timings.end()) continue;
    out += (first ? "" : ", ") + std::string(k) + " " + seconds_text(it->second) + " s";
    if (std::string_view(k) == "source" && r.run.source_cached) out += " (cached)";
    first = false;
  }
  out += " (" + std::string(r.accelerator) + ")\n";
  out += "  evidence    " + evidence_path(r.run) + "\n";
  return out;
}

void JunitReport::add(const ScenarioReport& r) {
  JunitCase c;
  c.classname = "restorelab.run";
  c.name = r.scenario.name;
  c.file = r.scenario.file;
  if (auto it = r.run.timings.find("total"); it != r.run.timings.end()) c.seconds = it->second;
  if (r.verdict.kind == Verdict::Kind::Error) {
    c.error_type = "infrastructure";
    c.error_message = r.verdict.error;
  } else if (r.verdict.kind == Verdict::Kind::Disagree) {
    std::string fields;
    for (const auto& field : r.verdict.differences) fields += (fields.empty() ? "" : ", ") + field;
    c.failure_type = "disagree";
    c.failure_message = "differs in " + fields + ": predicted " + std::string(name_of(r.predicted.outcome)) +
                        ", observed " +
                        (r.run.observation.outcome ? std::string(name_of(*r.run.observation.outcome)) : "nothing");
  }
  c.output = "evidence: " + evidence_path(r.run);
  suite_.seconds += c.seconds;
  suite_.cases.push_back(std::move(c));
}

std::string JunitReport::xml() const { return junit_xml(suite_); }

OutputStatus JunitReport::write(const std::string& path) const { return write_output_file(path, xml()); }

}  // namespace restorelab::run
