#include "harness/store/store_compare.h"

#include <algorithm>
#include <map>

#include "harness/store/result_fields.h"
#include "rules/utf8.h"

namespace restorelab::store {

namespace {

using nlohmann::json;

bool good(Verdict v) { return v == Verdict::Agree || v == Verdict::KnownDeviation; }
bool bad(Verdict v) { return v == Verdict::Disagree || v == Verdict::Flaky || v == Verdict::Error; }

json parse_object(const std::optional<std::string>& text) {
  if (!text) return json::object();
  json j = json::parse(valid_utf8(*text), nullptr, false);  // data: not-UTF-8 bytes read as U+FFFD
  return j.is_object() ? j : json::object();
}

json field_of(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? json() : *it;
}

// The compared fields of one result (result_fields.h), in FieldChange's
// order: the line's from the record's columns, the others from the JSON of
// their object; a remediation's under the name `remediation`.
std::vector<std::pair<std::string_view, json>> fields(const ResultRecord& r) {
  const json observed = parse_object(r.observed_json);
  const json remediation = parse_object(r.remediation_json);
  std::vector<std::pair<std::string_view, json>> out;
  for (const ResultFieldInfo* f : compared_result_fields()) {
    switch (f->scope) {
      case ResultScope::Observed: out.emplace_back(f->name, field_of(observed, f->name)); break;
      case ResultScope::Remediation:
        out.emplace_back(name_of(ResultField::remediation), field_of(remediation, f->name));
        break;
      default: out.emplace_back(f->name, json(verdict_name(r.verdict)));  // the line's verdict
    }
  }
  return out;
}

std::map<std::string_view, const ResultRecord*> by_id(const std::vector<ResultRecord>& results) {
  std::map<std::string_view, const ResultRecord*> out;
  for (const ResultRecord& r : results) out.emplace(r.id, &r);
  return out;
}

// A value as the text report shows it: strings bare, null as "none".
std::string shown(const json& value) {
  if (value.is_null()) return "none";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::vector<std::string> Comparison::regressions() const {
  std::vector<std::string> out;
  for (const ScenarioChange& c : changed)
    if (c.regression) out.push_back(c.id);
  return out;
}

bool Comparison::has_regression() const {
  return std::ranges::any_of(changed, &ScenarioChange::regression);
}

Comparison compare(const std::vector<ResultRecord>& base, const std::vector<ResultRecord>& head) {
  const auto base_ids = by_id(base), head_ids = by_id(head);
  Comparison out;
  for (const auto& [id, b] : base_ids) {
    auto it = head_ids.find(id);
    if (it == head_ids.end()) {
      out.only_in_base.emplace_back(id);
      continue;
    }
    const ResultRecord* h = it->second;
    ++out.in_both;
    // A remediation that fixed (or had nothing to fix) in BASE and does not in
    // HEAD regresses like a verdict does (remediation.md).
    const std::string_view verdict = name_of(ResultField::remediation_verdict);
    const json rb = field_of(parse_object(b->remediation_json), verdict);
    const json rh = field_of(parse_object(h->remediation_json), verdict);
    const bool remediation_regressed = (rb == "fixed" || rb == "none") && (rh == "not-fixed" || rh == "error");
    ScenarioChange change{std::string(id), {}, (good(b->verdict) && bad(h->verdict)) || remediation_regressed};
    const auto before = fields(*b), after = fields(*h);
    for (std::size_t i = 0; i < before.size(); ++i)
      if (before[i].second != after[i].second)
        change.changes.push_back({std::string(before[i].first), before[i].second, after[i].second});
    if (!change.changes.empty()) out.changed.push_back(std::move(change));
  }
  for (const auto& [id, h] : head_ids)
    if (!base_ids.contains(id)) out.only_in_head.emplace_back(id);
  return out;
}

std::string comparison_text(const Comparison& c, std::string_view base_name, std::string_view head_name) {
  const std::string base(base_name), head(head_name);
  std::string out = base + " -> " + head + ": " + counted(c.in_both, "scenario", "scenarios") + " in both, " +
                    std::to_string(c.changed.size()) + " changed, " +
                    counted(c.regressions().size(), "regression", "regressions") + ", " +
                    std::to_string(c.only_in_base.size()) + " only in " + base + ", " +
                    std::to_string(c.only_in_head.size()) + " only in " + head + "\n";
  for (const ScenarioChange& s : c.changed) {
    out += (s.regression ? "REGRESSION " : "changed    ") + s.id + "\n";
    for (const FieldChange& f : s.changes) {
      std::string label = f.field + ":";
      label.resize(std::max<std::size_t>(label.size(), 13), ' ');
      out += "  " + label + shown(f.base) + " -> " + shown(f.head) + "\n";
    }
  }
  for (const auto& id : c.only_in_base) out += "only in " + base + ": " + id + "\n";
  for (const auto& id : c.only_in_head) out += "only in " + head + ": " + id + "\n";
  return out;
}

std::string comparison_json(const Comparison& c, std::string_view base_name, std::string_view head_name) {
  json changed = json::array();
  for (const ScenarioChange& s : c.changed) {
    json changes = json::array();
    for (const FieldChange& f : s.changes) changes.push_back({{"field", f.field}, {"base", f.base}, {"head", f.head}});
    changed.push_back({{"id", s.id}, {"regression", s.regression}, {"changes", std::move(changes)}});
  }
  json out = {{"base", base_name},
              {"head", head_name},
              {"in_both", c.in_both},
              {"changed", std::move(changed)},
              {"only_in_base", c.only_in_base},
              {"only_in_head", c.only_in_head},
              {"regressions", c.regressions()}};
  // Ids and labels are data: bytes that are not UTF-8 become U+FFFD (dump() would throw).
  return out.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace restorelab::store
