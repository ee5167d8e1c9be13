#include "harness/run/behaviour_coverage.h"

#include <algorithm>
#include <cstdint>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "harness/output/json_writer.h"
#include "harness/run/host_capacity.h"
#include "harness/run/store_sink.h"
#include "rules/combination_id.h"

namespace restorelab::run {

namespace {

/// Which status wins when two members of a class say different things.
int precedence(ClassStatus s) {
  switch (s) {
    case ClassStatus::Disagree: return 4;
    case ClassStatus::Flaky: return 3;
    case ClassStatus::KnownDeviation: return 2;
    case ClassStatus::Agree: return 1;
    case ClassStatus::Unobserved: return 0;
  }
  return 0;
}

/// Folds one member's status into its class.
void fold(ClassCoverage& c, ClassStatus s, const std::string& id, const std::string& deviation) {
  if (precedence(s) <= precedence(c.status)) return;
  c.status = s;
  c.observed = id;
  c.deviation = deviation;
}

/// The classes of `classes` as ClassCoverage, unobserved, with their representatives.
std::vector<ClassCoverage> class_list(const Rulebook& book, const std::vector<BehaviourClass>& classes,
                                      const std::vector<std::string>& representatives) {
  std::vector<ClassCoverage> out;
  out.reserve(classes.size());
  for (std::size_t k = 0; k < classes.size(); ++k) {
    ClassCoverage c;
    c.summary = behaviour_summary(classes[k].prediction, book);
    c.outcome = name_of(classes[k].prediction.outcome);
    c.members = classes[k].members;
    c.representative = k < representatives.size() ? representatives[k] : "";
    out.push_back(std::move(c));
  }
  return out;
}

void write_class(JsonWriter& json, const ClassCoverage& c) {
  json.begin_object().key("summary").value(c.summary).key("outcome").value(c.outcome);
  json.key("members").value(static_cast<std::int64_t>(c.members)).key("representative").value(c.representative);
  json.key("status").value(class_status_name(c.status));
  if (!c.observed.empty()) json.key("observed").value(c.observed);
  if (!c.deviation.empty()) json.key("deviation").value(c.deviation);
  json.end_object();
}

}  // namespace

std::string_view class_status_name(ClassStatus s) {
  switch (s) {
    case ClassStatus::Agree: return "agree";
    case ClassStatus::KnownDeviation: return "known_deviation";
    case ClassStatus::Disagree: return "disagree";
    case ClassStatus::Flaky: return "flaky";
    case ClassStatus::Unobserved: return "unobserved";
  }
  return "unobserved";
}

ClassStatus status_of(Verdict::Kind v) {
  switch (v) {
    case Verdict::Kind::Agree: return ClassStatus::Agree;
    case Verdict::Kind::KnownDeviation: return ClassStatus::KnownDeviation;
    case Verdict::Kind::Disagree: return ClassStatus::Disagree;
    case Verdict::Kind::Flaky: return ClassStatus::Flaky;
    case Verdict::Kind::Error: return ClassStatus::Unobserved;
  }
  return ClassStatus::Unobserved;
}

std::uint64_t MatrixCoverage::count(ClassStatus s) const {
  return static_cast<std::uint64_t>(
      std::count_if(classes.begin(), classes.end(), [&](const ClassCoverage& c) { return c.status == s; }));
}

int MatrixCoverage::exit_code() const {
  return count(ClassStatus::Disagree) + count(ClassStatus::Flaky) > 0 ? 1 : 0;
}

store::Result<std::vector<store::ResultRecord>> results_in_scope(const store::ResultsStore& s, std::int64_t run,
                                                                 const std::string& campaign) {
  if (run > 0) return s.results_of_run(run);
  if (!campaign.empty()) return s.results_of_campaign(campaign);
  auto runs = s.runs();
  if (!runs) return std::unexpected(runs.error());
  std::vector<store::ResultRecord> all;
  for (const store::RunRecord& r : *runs) {
    auto records = s.results_of_run(r.id);
    if (!records) return std::unexpected(records.error());
    for (store::ResultRecord& record : *records) all.push_back(std::move(record));
  }
  return all;
}

std::expected<std::vector<KeyedObservation>, std::string> stored_observations(
    const std::vector<store::ResultRecord>& records) {
  std::vector<KeyedObservation> out;
  for (const store::ResultRecord& record : records) {
    if (!record.observed_json || record.verdict == store::Verdict::Error) continue;
    auto r = observation_of(record);
    if (!r) return std::unexpected(r.error());
    if (r->observed.failed() || !r->observed.outcome) continue;
    out.push_back(KeyedObservation{record.observation_key, std::move(r->observed),
                                    record.verdict == store::Verdict::Flaky});
  }
  return out;
}

std::vector<bool> prefer_runnable(const Matrix& m, const BehaviourClasses& classes, std::vector<bool> preferred) {
  preferred.resize(classes.combination.size(), false);
  std::vector<bool> has_preferred(classes.classes.size(), false);
  for (std::size_t at = 0; at < preferred.size(); ++at)
    if (preferred[at]) has_preferred[classes.class_of[at]] = true;
  const MatrixExpander expander(m);
  Scenario s;
  for (std::size_t at = 0; at < classes.combination.size(); ++at)
    if (!has_preferred[classes.class_of[at]] &&
        expander.build(choice_of(m, classes.combination[at]), s) == MatrixExpander::Status::Valid)
      preferred[at] = firmware_boots(s.destination);
  return preferred;
}

std::vector<bool> observed_combinations(const Matrix& m, const BehaviourClasses& classes,
                                        const std::unordered_set<std::string>& keys, const KeyInputs& inputs) {
  const std::size_t n = classes.combination.size();
  if (keys.empty()) return std::vector<bool>(n, false);
  // A key writes the scenario out as TOML (tens of microseconds): hardware-full's
  // 488,000 combinations take seconds, so the processors share them.
  const std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 1 + n / 10000);
  std::vector<std::uint8_t> held(n, 0);
  auto check = [&](std::size_t worker) {
    const MatrixExpander expander(m);
    Scenario s;
    for (std::size_t at = worker * n / workers; at < (worker + 1) * n / workers; ++at)
      if (expander.build(choice_of(m, classes.combination[at]), s) == MatrixExpander::Status::Valid)
        held[at] = keys.contains(observation_key(s, inputs)) ? 1 : 0;
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(check, w);
  check(0);
  for (std::thread& t : threads) t.join();
  return std::vector<bool>(held.begin(), held.end());
}

MatrixCoverage matrix_coverage(const Matrix& m, const Rulebook& book, const std::vector<KeyedObservation>& observations,
                               const KeyInputs& inputs, DeviationRegistry* known, std::uint64_t seed) {
  const Engine engine(book);
  const BehaviourClasses classes = classify_behaviours(m, engine);
  const BehaviourCover cover = cover_behaviours(m, classes, seed, prefer_runnable(m, classes, {}));
  const MatrixExpander expander(m);
  std::vector<std::string> representatives;
  for (std::size_t k = 0; k < cover.class_rows; ++k) representatives.push_back(expander.id(cover.rows[k]));

  MatrixCoverage out;
  out.matrix = m.name;
  out.combinations = classes.valid();
  out.pairs = classes.pairs_held;
  out.classes = class_list(book, classes.classes, representatives);

  std::unordered_map<std::string, std::vector<const KeyedObservation*>> by_key;
  for (const KeyedObservation& o : observations) by_key[o.key].push_back(&o);
  if (by_key.empty()) return out;

  std::unordered_set<std::string> keys;
  for (const auto& [key, _] : by_key) keys.insert(key);
  const std::vector<bool> observed = observed_combinations(m, classes, keys, inputs);
  const PairSpace space(m);
  std::vector<bool> pair_seen(space.size(), false);
  Scenario s;
  for (std::size_t at = 0; at < classes.combination.size(); ++at) {
    if (!observed[at]) continue;
    const Choice c = choice_of(m, classes.combination[at]);
    if (expander.build(c, s) != MatrixExpander::Status::Valid) continue;  // cannot happen: it was valid
    auto found = by_key.find(observation_key(s, inputs));
    if (found == by_key.end()) continue;
    const Prediction& p = classes.classes[classes.class_of[at]].prediction;
    // Every observation of the key, judged against today's prediction.
    bool flaky = false;
    std::optional<Verdict::Kind> kind;
    const Observation* disagreeing = nullptr;
    for (const KeyedObservation* o : found->second) {
      const Verdict v = judge(p, o->observed);
      flaky = flaky || o->flaky || (kind && *kind != v.kind);
      kind = v.kind;
      if (v.kind == Verdict::Kind::Disagree) disagreeing = &o->observed;
    }
    const std::string id = expander.id(c);
    std::string deviation;
    ClassStatus status = flaky ? ClassStatus::Flaky : status_of(*kind);
    if (status == ClassStatus::Disagree && known && disagreeing) {
      s.name = combination_name(id);
      deviation = known->excuse(id, s, *disagreeing->outcome);
      if (!deviation.empty()) status = ClassStatus::KnownDeviation;
    }
    fold(out.classes[classes.class_of[at]], status, id, deviation);
    space.for_each(c, [&](std::size_t pair) { pair_seen[pair] = true; });
  }
  out.pairs_observed = static_cast<std::uint64_t>(std::count(pair_seen.begin(), pair_seen.end(), true));
  return out;
}

MatrixCoverage campaign_coverage(const Matrix& m, const Rulebook& book, const std::vector<BehaviourClass>& classes,
                                 const std::vector<CampaignRow>& rows, std::uint64_t pairs_held) {
  std::vector<std::string> representatives(classes.size());
  for (const CampaignRow& r : rows)
    if (r.behaviour < classes.size() && representatives[r.behaviour].empty()) representatives[r.behaviour] = r.id;
  MatrixCoverage out;
  out.matrix = m.name;
  for (const BehaviourClass& c : classes) out.combinations += c.members;
  out.pairs = pairs_held;
  out.classes = class_list(book, classes, representatives);
  const PairSpace space(m);
  std::vector<bool> pair_seen(space.size(), false);
  for (const CampaignRow& r : rows) {
    if (r.behaviour >= out.classes.size() || r.status == ClassStatus::Unobserved) continue;
    fold(out.classes[r.behaviour], r.status, r.id, "");
    space.for_each(r.choice, [&](std::size_t pair) { pair_seen[pair] = true; });
  }
  out.pairs_observed = static_cast<std::uint64_t>(std::count(pair_seen.begin(), pair_seen.end(), true));
  return out;
}

std::string coverage_json(const MatrixCoverage& c) {
  std::string out;
  JsonWriter json(out);
  auto n = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  json.begin_object().key("matrix").value(c.matrix).key("combinations").value(n(c.combinations));
  json.key("classes").value(n(c.classes.size())).key("observed").value(n(c.observed()));
  for (ClassStatus s : {ClassStatus::Agree, ClassStatus::KnownDeviation, ClassStatus::Disagree, ClassStatus::Flaky,
                        ClassStatus::Unobserved})
    json.key(class_status_name(s)).value(n(c.count(s)));
  json.key("pairs").value(n(c.pairs)).key("pairs_observed").value(n(c.pairs_observed));
  auto list = [&](std::string_view name, auto keep) {
    json.key(name).begin_array();
    for (const ClassCoverage& k : c.classes)
      if (keep(k.status)) write_class(json, k);
    json.end_array();
  };
  list("missing", [](ClassStatus s) { return s == ClassStatus::Unobserved; });
  list("disagreeing", [](ClassStatus s) { return s == ClassStatus::Disagree || s == ClassStatus::Flaky; });
  list("by_class", [](ClassStatus) { return true; });
  json.end_object();
  return out + "\n";
}

std::string coverage_text(const MatrixCoverage& c) {
  auto pct = [](std::uint64_t a, std::uint64_t b) { return b ? " (" + std::to_string(a * 100 / b) + " %)" : ""; };
  std::string out = c.matrix + ": " + with_commas(c.classes.size()) + " behaviour classes of " +
                    with_commas(c.combinations) + " valid combinations; observed " + with_commas(c.observed()) +
                    pct(c.observed(), c.classes.size()) + ": " + std::to_string(c.count(ClassStatus::Agree)) +
                    " agree, " + std::to_string(c.count(ClassStatus::KnownDeviation)) + " known deviation, " +
                    std::to_string(c.count(ClassStatus::Disagree)) + " disagree, " +
                    std::to_string(c.count(ClassStatus::Flaky)) + " flaky; " +
                    std::to_string(c.count(ClassStatus::Unobserved)) + " unobserved; " +
                    with_commas(c.pairs_observed) + " of " + with_commas(c.pairs) + " pairs observed\n";
  for (ClassStatus s : {ClassStatus::Disagree, ClassStatus::Flaky, ClassStatus::Unobserved})
    for (const ClassCoverage& k : c.classes)
      if (k.status == s) {
        out += "  " + std::string(s == ClassStatus::Unobserved ? "UNOBSERVED" : s == ClassStatus::Flaky ? "FLAKY" : "DISAGREE");
        out += " " + k.summary + " (" + with_commas(k.members) + " combinations; " +
               (s == ClassStatus::Unobserved ? "run " + k.representative : "observed " + k.observed) + ")\n";
      }
  return out;
}

}  // namespace restorelab::run
