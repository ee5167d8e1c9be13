#include "rules/engine.h"

#include <algorithm>
#include <climits>

namespace restorelab {

Engine::Engine(const Rulebook& rulebook) : rulebook_(rulebook) {
  for (std::size_t i = 0; i < rulebook.rules.size(); ++i)
    (rulebook.rules[i].when.reads_prediction() ? following_ : deciding_)
        .push_back(static_cast<std::uint16_t>(i));
}

void Engine::predict(const Scenario& s, Prediction& out) const {
  out.supported = true;
  out.actions = {};
  out.fired.clear();
  EvalContext ctx{&s, Outcome::Boots, true};
  int best_precedence = INT_MAX;
  std::optional<Outcome> outcome;
  int cpus = s.destination.cpus;
  const auto& rules = rulebook_.rules;

  for (std::uint16_t index : deciding_) {
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

  if (!following_.empty()) {
    ctx.outcome = out.outcome;
    ctx.supported = out.supported;
    const std::size_t first_following = out.fired.size();
    for (std::uint16_t index : following_) {
      const Rule& rule = rules[index];
      if (!rule.when.eval(ctx)) continue;
      out.fired.push_back(index);
      out.actions |= rule.actions;
    }
    if (first_following != out.fired.size() && first_following != 0)
      std::inplace_merge(out.fired.begin(), out.fired.begin() + static_cast<std::ptrdiff_t>(first_following),
                         out.fired.end());
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
