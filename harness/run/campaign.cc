#include "harness/run/campaign.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "harness/run/host_capacity.h"
#include "harness/run/prediction_report.h"
#include "harness/run/result_json.h"
#include "rules/scenario_writer.h"

namespace restorelab::run {

namespace fs = std::filesystem;

namespace {

/// The evidence folder as reports show it: relative to the current folder
/// when it is below it, with a trailing '/'.
std::string evidence_path(const fs::path& evidence) {
  std::error_code ec;
  auto rel = fs::relative(evidence, fs::current_path(), ec);
  std::string p = (ec || rel.empty() || rel.string().starts_with("..")) ? evidence.string() : rel.string();
  if (!p.ends_with('/')) p += '/';
  return p;
}

/// What an attempt saw, for telling flaky attempts apart.
std::string seen(const AttemptResult& a) {
  if (a.observed.failed() || !a.observed.outcome) return "error";
  return std::string(name_of(*a.observed.outcome)) + "/" + std::to_string(a.observed.cpus_used.value_or(0));
}

/// What the fired rules of `p` prescribe for which symptoms (their `cures`).
std::vector<Prescription> prescriptions_of(const Prediction& p, const Rulebook& book) {
  std::vector<Prescription> out;
  for (auto index : p.fired) {
    const Rule& rule = book.rules[index];
    if (rule.cures.empty()) continue;
    Prescription& pr = out.emplace_back(Prescription{rule.id, {}, rule.cures});
    for (auto name : action_names(rule.actions)) pr.actions.emplace_back(name);
  }
  return out;
}

/// The remediation of one attempt, judged.
RemediationResult remediation_result(const ScenarioRun& run, const ActionChoice& choice, int destination_cpus,
                                     const std::vector<Prescription>& prescriptions) {
  RemediationResult m;
  m.skipped = choice.skipped;
  if (choice.apply.empty()) {
    m.note = "nothing to apply: the prediction has no action the model guest carries out";
    return m;
  }
  if (!run.remediation) {
    m.skipped.insert(m.skipped.end(), choice.apply.begin(), choice.apply.end());
    m.note = "the destination boot was not observed: nothing to remediate";
    return m;
  }
  const RemediationRun& rr = *run.remediation;
  m.timings = rr.timings;
  if (!rr.not_run.empty()) {
    m.skipped.insert(m.skipped.end(), choice.apply.begin(), choice.apply.end());
    m.note = rr.not_run;
    return m;
  }
  if (rr.line) {
    m.from = rr.line->from;
    m.applied = rr.line->applied;
    m.changes = rr.line->changes;
    for (const std::string& a : rr.line->skipped)
      if (std::ranges::find(m.skipped, a) == m.skipped.end()) m.skipped.push_back(a);
  }
  m.observed = rr.observation;
  judge_remediation(m, destination_cpus);
  m.expected = cure_report(run.observation, m, destination_cpus, prescriptions);
  return m;
}

}  // namespace

Verdict Campaign::combine(const std::vector<Verdict>& verdicts, const std::vector<AttemptResult>& attempts) {
  if (verdicts.empty()) return Verdict{Verdict::Kind::Error, {}, "no attempt was made"};
  std::set<std::string> outcomes;
  for (const AttemptResult& a : attempts) outcomes.insert(seen(a));
  Verdict v = verdicts.back();
  if (outcomes.size() > 1) {
    v.kind = Verdict::Kind::Flaky;
    v.error.clear();
  }
  return v;
}

void Campaign::report_phase(std::size_t slot, const std::string& id, std::string_view phase, double seconds) {
  if (!observer_) return;
  std::lock_guard lock(progress_mutex_);
  in_flight_[slot] = InFlight{id, std::string(phase), seconds};
  std::vector<InFlight> running;
  for (const InFlight& f : in_flight_)
    if (!f.id.empty()) running.push_back(f);
  observer_->phase(running);
}

std::optional<ScenarioResult> Campaign::run_one(const CampaignItem& item, const CampaignOptions& options,
                                                std::size_t slot) {
  const Scenario& s = item.scenario;
  ScenarioResult r;
  r.id = item.id;
  r.scenario = s.name;
  r.file = s.file;
  r.axes_json = item.axes_json;
  r.run = options.run_id;
  r.observation_key = observation_key(s, options.key_inputs);
  r.scenario_toml = scenario_to_toml(s);
  const Prediction p = engine_.predict(s);
  r.predicted = summarize(p, engine_.rulebook());
  auto excuse = [&](Verdict v) {
    if (v.kind == Verdict::Kind::Disagree && deviations_ && r.observed.outcome) {
      r.deviation = deviations_->excuse(item.id, s, *r.observed.outcome);
      if (!r.deviation.empty()) v.kind = Verdict::Kind::KnownDeviation;
    }
    r.verdict = std::move(v);
  };

  // A machine this host's firmware cannot boot: an infrastructure error
  // before any VM, never an outcome.
  if (auto why = firmware_cannot_boot(s.destination, "destination")) {
    r.accelerator = "none";
    r.observed.error = "not run: " + *why;
    r.verdict = judge(p, r.observed);
    return r;
  }

  // --remediate: what the guest carries out, and what it is told it skips.
  const ActionChoice choice = options.remediate ? choose_actions(r.predicted.actions, options.remediate_only)
                                                : ActionChoice{};
  const std::vector<Prescription> prescriptions =
      options.remediate ? prescriptions_of(p, engine_.rulebook()) : std::vector<Prescription>{};
  // --keep and --remediate need the machines: nothing stored stands in for them.
  if (options.reuse && archive_ && !options.remediate && !options.keep) {
    auto stored = archive_->find(r.observation_key);
    // --pause-on-failure: a stored failure has no machines to stand in; run it.
    if (stored && options.pause_on_failure && judge(p, stored->observed).kind != Verdict::Kind::Agree) stored.reset();
    if (stored) {
      r.reused = true;
      r.reused_from = stored->run;
      r.observed = stored->observed;
      r.timings = stored->timings;
      r.evidence = stored->evidence;
      r.accelerator = stored->accelerator;
      excuse(judge(p, r.observed));
      return r;
    }
  }

  auto m = machines_.get();
  if (!m) {
    r.accelerator = "none";
    r.observed.error = m.error().message;
    r.verdict = judge(p, r.observed);
    return r;
  }
  r.accelerator = m->accelerator;
  std::vector<Verdict> verdicts;
  for (int attempt = 1; attempt <= 1 + options.retries; ++attempt) {
    if (interrupt_.load() != 0) return std::nullopt;
    const RunPlan plan = attempt == 1 && choice.apply.empty()
                             ? item.plan
                             : plan_run(s, plan_paths(s, m->settings, attempt), choice.apply);
    Orchestrator orchestrator(*m->hypervisor, *m->disks, interrupt_, [&](std::string_view phase, double seconds) {
      report_phase(slot, item.id, phase, seconds);
    });
    // --pause-on-failure: the last attempt keeps its machines when it does not agree.
    KeepIfFn keep_if;
    if (options.pause_on_failure && attempt == 1 + options.retries)
      keep_if = [&](const Observation& o) { return judge(p, o).kind != Verdict::Kind::Agree; };
    ScenarioRun run = orchestrator.run(plan, m->settings, keep_if);
    if (observer_)
      for (const auto& problem : run.cleanup_problems) observer_->warning(item.id + ": cleanup: " + problem);
    if (observer_)
      for (const auto& note : run.notes) observer_->warning(item.id + ": " + note);
    // An interrupt ends whatever was in flight in some way (a VM destroyed, a
    // disk tool killed); none of that is an observation.
    if (run.interrupted || interrupt_.load() != 0) return std::nullopt;
    r.attempts.push_back(AttemptResult{run.observation, run.timings, evidence_path(run.evidence), run.source_cached});
    verdicts.push_back(judge(p, run.observation));
    if (options.remediate) r.remediation = remediation_result(run, choice, s.destination.cpus, prescriptions);
    r.kept.reset();
    if (!run.kept_domains.empty()) r.kept = way_in(m->uri, run.kept_domains);
    if (verdicts.back().kind == Verdict::Kind::Agree) break;
  }
  const AttemptResult& last = r.attempts.back();
  r.attempt_count = static_cast<int>(r.attempts.size());
  r.observed = last.observed;
  r.timings = last.timings;
  r.evidence = last.evidence;
  r.source_cached = last.source_cached;
  excuse(combine(verdicts, r.attempts));
  return r;
}

CampaignOutcome Campaign::run(const std::vector<CampaignItem>& items, const CampaignOptions& options,
                              const std::vector<ResultSink*>& sinks) {
  CampaignOutcome outcome;
  const std::size_t workers = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(options.jobs),
                                                                                items.size()));
  in_flight_.assign(workers, InFlight{});
  std::vector<std::optional<ScenarioResult>> finished(items.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex sink_mutex;
  std::size_t done = 0;

  auto worker = [&](std::size_t slot) {
    while (!stop.load() && interrupt_.load() == 0) {
      const std::size_t index = next.fetch_add(1);
      if (index >= items.size()) break;
      std::optional<ScenarioResult> r = run_one(items[index], options, slot);
      {
        std::lock_guard lock(progress_mutex_);
        in_flight_[slot] = InFlight{};
      }
      if (!r) continue;  // interrupted: what was in flight is not kept
      std::lock_guard lock(sink_mutex);
      for (ResultSink* sink : sinks) {
        if (auto added = sink->add(*r); !added && !outcome.sink_error) {
          outcome.sink_error = added.error();
          stop = true;  // an output that cannot take results: stop starting scenarios
        }
      }
      ++done;
      if (observer_) observer_->finished(*r, done, items.size());
      finished[index] = std::move(r);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t slot = 1; slot < workers; ++slot) threads.emplace_back(worker, slot);
  worker(0);
  for (std::thread& t : threads) t.join();

  for (auto& r : finished)
    if (r) outcome.results.push_back(std::move(*r));
  outcome.interrupted = interrupt_.load() != 0;
  for (const ScenarioResult& r : outcome.results)
    if (!r.reused && !r.attempts.empty()) outcome.accelerator = r.accelerator;
  return outcome;
}

}  // namespace restorelab::run
