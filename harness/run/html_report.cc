#include "harness/run/html_report.h"

#include <fstream>
#include <iterator>

#include "harness/output/html_text.h"
#include "harness/output/input_file.h"
#include "harness/output/page_templates.h"
#include "harness/output/json_writer.h"
#include "harness/output/png.h"
#include "harness/store/result_fields.h"

namespace restorelab::run {

namespace fs = std::filesystem;

namespace {

/// The destination's last screen, shrunk, as a data: URI; empty without one.
std::string thumbnail(const fs::path& evidence) {
  const std::string bytes = read_file_or_empty(evidence / "destination.png");
  if (bytes.empty()) return {};
  auto image = decode_png({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  if (!image) return {};
  auto png = encode_png(shrink(*image, kThumbnailWidth));
  if (!png) return {};
  return "data:image/png;base64," +
         base64({reinterpret_cast<const char*>(png->data()), png->size()});
}

/// Evidence files worth a link, by name, in a fixed order.
std::vector<std::string> evidence_files(const fs::path& evidence) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(evidence, ec)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".serial.log") || name.ends_with(".xml") || name.ends_with(".png") ||
        name.ends_with(".job") || name == "timings.json")
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// A result's evidence folder as an absolute path without a trailing '/',
/// or empty when it has none (a scenario that no VM ran, such as one this
/// host cannot boot).
fs::path evidence_folder(std::string folder) {
  while (folder.size() > 1 && folder.ends_with('/')) folder.pop_back();
  if (folder.empty()) return {};
  std::error_code ec;
  fs::path absolute = fs::absolute(folder, ec);
  return ec ? fs::path{} : absolute;
}

/// The link to a result's evidence folder, ending in '/': an http(s) URL as
/// it is, else the folder relative to the page, written `./…` with every
/// byte that could make it something else percent-encoded (an evidence
/// folder named `javascript:alert(1),` stays a folder). Empty when neither
/// (the page shows the evidence without a link).
std::string evidence_href(const std::string& evidence, const fs::path& page_dir) {
  if (evidence.starts_with("http://") || evidence.starts_with("https://")) {
    std::string url = evidence;
    while (url.ends_with('/')) url.pop_back();
    return url + "/";
  }
  const fs::path local = evidence_folder(evidence);
  if (local.empty()) return {};
  std::error_code ec;
  const fs::path relative = fs::relative(local, page_dir, ec);
  if (ec || relative.empty() || relative.is_absolute()) return {};
  const std::string href = "./" + url_path(relative.string()) + "/";
  return is_safe_href(href) ? href : std::string();
}

using F = ResultField;

/// A row's member that is a result field: the table's name (result_fields.h).
JsonWriter& field(JsonWriter& json, ResultField f) { return json.key(name_of(f)); }

/// The page's data: the run, and a row per result whose members the page's
/// script reads (templates/run_report.js).
std::string data_json(const RunSummary& summary, const fs::path& page) {
  const fs::path page_dir = fs::absolute(page).parent_path();
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json.key("title").value(summary.title);
  json.key("seconds").value(summary.seconds);
  field(json, F::accelerator).value(summary.accelerator);
  json.key("interrupted").value(summary.interrupted);
  json.key("stale").strings(summary.stale_deviations);
  json.key("total").value(static_cast<std::int64_t>(summary.results.size()));
  json.key("rows").begin_array();
  std::size_t n = 0;
  for (const ScenarioResult& r : summary.results) {
    if (n++ >= kMaxReportRows) break;
    const fs::path evidence = evidence_folder(r.evidence);
    json.begin_object();
    field(json, F::id).value(r.id);
    field(json, F::verdict).value(verdict_name(r.verdict.kind));
    field(json, F::deviation).value(r.deviation);
    field(json, F::error).value(r.verdict.error);
    field(json, F::differences).strings(r.verdict.differences);
    field(json, F::predicted_supported).value(r.predicted.supported);
    json.key("predicted").value(name_of(r.predicted.outcome));
    json.key("predicted_cpus").value(r.predicted.cpus_used.value_or(0));
    json.key("observed").value(r.observed.outcome ? name_of(*r.observed.outcome) : std::string_view("none"));
    json.key("observed_cpus").value(r.observed.cpus_used.value_or(0));
    field(json, F::observed_stop_code).value(r.observed.stop_code);
    field(json, F::observed_detail).value(r.observed.detail);
    field(json, F::predicted_rules).strings(r.predicted.rules);
    field(json, F::predicted_reasons).strings(r.predicted.reasons);
    field(json, F::predicted_actions).strings(r.predicted.actions);
    field(json, F::attempts).value(r.attempt_count);
    field(json, F::reused).value(r.reused);
    field(json, F::reused_from).value(r.reused_from.value_or(0));
    // "fixed (in-place-upgrade)", "not-fixed: outcome: stop-0x7b, not boots"; empty without --remediate.
    std::string remediation;
    if (const auto& m = r.remediation) {
      remediation = std::string(remediation_verdict_name(m->verdict));
      for (std::size_t i = 0; i < m->applied.size(); ++i) remediation += (i == 0 ? " (" : ", ") + m->applied[i];
      if (!m->applied.empty()) remediation += ")";
      for (const std::string& d : m->differences) remediation += ": " + d;
      if (!m->error.empty()) remediation += ": " + m->error;
    }
    field(json, F::remediation).value(remediation);
    auto total = r.timings.find(std::string(name_of(F::timing_total)));
    json.key("seconds").value(total == r.timings.end() ? 0.0 : total->second);
    json.key("href").value(evidence_href(r.evidence, page_dir));
    field(json, F::evidence).value(r.evidence);
    json.key("files").strings(evidence.empty() ? std::vector<std::string>{} : evidence_files(evidence));
    json.key("thumb").value(evidence.empty() ? std::string() : thumbnail(evidence));
    field(json, F::axes);
    if (r.axes_json.empty()) json.begin_object().end_object();
    else json.raw(r.axes_json);
    json.end_object();
  }
  json.end_array();
  json.key("coverage").begin_array();
  for (const std::string& c : summary.coverage) json.raw(c);
  json.end_array();
  json.end_object();
  return out;
}

}  // namespace

std::string run_html(const RunSummary& summary, const fs::path& page) {
  return page_with_data(pages::run_report, data_json(summary, page));
}

OutputStatus HtmlSink::finish(const RunSummary& summary) { return write_output_file(path_, run_html(summary, path_)); }

}  // namespace restorelab::run
