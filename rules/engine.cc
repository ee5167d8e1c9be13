#include "rules/engine.h"

#include <algorithm>
#include <array>
#include <climits>

namespace restorelab {

namespace {
constexpr std::size_t kVersions = enum_count<OsVersion>();

/// Bytes from the start of a Scenario to its name: the restore and both
/// machines, everything rules read (the name, description and [expect] after
/// them are not).
std::size_t hot_bytes() {
  static const std::size_t bytes = [] {
    const Scenario probe;
    return static_cast<std::size_t>(reinterpret_cast<const char*>(&probe.name) - reinterpret_cast<const char*>(&probe));
  }();
  return bytes;
}
}  // namespace

void Engine::prefetch(const Scenario& s) {
  // The rules read fields all over the scenario; asking for its cache lines
  // at once lets memory fetch them in parallel, not one miss after another.
  const char* bytes = reinterpret_cast<const char*>(&s);
  for (std::size_t offset = 0; offset < hot_bytes(); offset += 64) __builtin_prefetch(bytes + offset);
}

Engine::Engine(const Rulebook& rulebook) : rulebook_(rulebook) {
  const KeyInfo* kind = find_key("restore.kind");
  const KeyInfo* version = find_key("source.os.version");
  const KeyInfo* nt5 = find_key("source.os.nt5");
  passes_.resize(enum_count<RestoreKind>() * kVersions);
  for (std::size_t k = 0; k < enum_count<RestoreKind>(); ++k)
    for (std::size_t v = 0; v < kVersions; ++v) {
      Passes& p = passes_[k * kVersions + v];
      for (std::size_t i = 0; i < rulebook.rules.size(); ++i) {
        const Condition& c = rulebook.rules[i].when;
        if (!c.may_hold(kind, static_cast<std::int64_t>(k)) || !c.may_hold(version, static_cast<std::int64_t>(v)) ||
            !c.may_hold(nt5, is_nt5(static_cast<OsVersion>(v))))
          continue;
        (c.reads_prediction() ? p.following : p.deciding).push_back(static_cast<std::uint32_t>(i));
      }
    }
}

void Engine::predict(const Scenario& s, Prediction& out) const {
  prefetch(s);
  out.supported = true;
  out.actions = {};
  out.fired.clear();
  // Helpers are evaluated once per pass, however many rules call them.
  constexpr std::size_t kMemo = 256;
  std::array<std::int8_t, kMemo> memo;
  const auto& helpers = rulebook_.compiler.helpers();
  const bool memoise = helpers.size() <= kMemo;
  std::fill_n(memo.begin(), std::min(helpers.size(), kMemo), std::int8_t{-1});
  EvalContext ctx{&s, Outcome::Boots, true, memoise ? memo.data() : nullptr, &helpers};
  int best_precedence = INT_MAX;
  std::optional<Outcome> outcome;
  int cpus = s.destination.cpus;
  const auto& rules = rulebook_.rules;

  const Passes& passes =
      passes_[static_cast<std::size_t>(s.restore.kind) * kVersions + static_cast<std::size_t>(s.source.os.version)];
  for (std::uint32_t index : passes.deciding) {
    const Rule& rule = rules[index];
    if (!rule.when.eval(ctx)) continue;
    out.fired.push_back(index);
    if (rule.supported) out.supported = false;
    if (rule.outcome && rule.precedence < best_precedence) {
      best_precedence = rule.precedence;
      outcome = rule.outcome;
    }
    if (rule.cpus_used) cpus = std::min(cpus, *rule.cpus_used);
    out.actions |= rule.actions;
  }
  out.outcome = outcome.value_or(Outcome::Boots);
  out.cpus_used = out.boots() ? std::optional<int>(cpus) : std::nullopt;

  if (!passes.following.empty()) {
    ctx.outcome = out.outcome;
    ctx.supported = out.supported;
    // Helpers may read the prediction, which has just changed.
    std::fill_n(memo.begin(), std::min(helpers.size(), kMemo), std::int8_t{-1});
    const std::size_t first_following = out.fired.size();
    for (std::uint32_t index : passes.following) {
      const Rule& rule = rules[index];
      if (!rule.when.eval(ctx)) continue;
      out.fired.push_back(index);
      out.actions |= rule.actions;
    }
    if (first_following != out.fired.size() && first_following != 0)
      std::sort(out.fired.begin(), out.fired.end());  // a handful: no buffer, unlike inplace_merge
  }
}

std::vector<std::string> expect_diff(const Expect& expect, const Prediction& p) {
  std::vector<std::string> out;
  if (expect.supported && *expect.supported != p.supported) out.push_back("supported");
  if (expect.outcome && *expect.outcome != p.outcome) out.push_back("outcome");
  if (expect.cpus_used && expect.cpus_used != p.cpus_used) out.push_back("cpus_used");
  if (expect.actions && (expect.actions->bits() & ~p.actions.bits()) != 0) out.push_back("actions");
  return out;
}

}  // namespace restorelab
