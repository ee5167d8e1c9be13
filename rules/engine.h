// The engine: a scenario in, a prediction out, with the rules that made it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rules/model.h"
#include "rules/rulebook.h"

namespace restorelab {

struct Prediction {
  bool supported = true;
  Outcome outcome = Outcome::Boots;
  std::optional<int> cpus_used;        ///< present when the outcome is boots or boots-degraded
  ActionSet actions;
  std::vector<std::uint32_t> fired;    ///< indices of the rules that fired, in rulebook order

  bool boots() const { return restorelab::boots(outcome); }
  bool operator==(const Prediction&) const = default;
};

/// Predicts with a rulebook, which must outlive the engine. Evaluation is in
/// two passes: rules that decide (support, outcome, processors) see only the
/// scenario; rules whose conditions read `outcome`, `supported` or `boots`
/// run after, see the decision and add actions. Thread-safe: predict() is const.
class Engine {
 public:
  explicit Engine(const Rulebook& rulebook);

  Prediction predict(const Scenario& s) const {
    Prediction p;
    predict(s, p);
    return p;
  }
  /// Same, reusing `out`'s storage (for tight loops).
  void predict(const Scenario& s, Prediction& out) const;

  /// Asks for the cache lines of `s` that rules read.
  static void prefetch(const Scenario& s);

  const Rulebook& rulebook() const { return rulebook_; }

 private:
  const Rulebook& rulebook_;
  /// The rules of each pass that can fire at all for a restore kind and a
  /// source OS version (decided once, by three-valued evaluation of each
  /// condition with only those two keys known), in rulebook order.
  struct Passes {
    std::vector<std::uint32_t> deciding, following;
  };
  std::vector<Passes> passes_;  ///< index: restore kind * versions + source version
};

/// The fields of `expect` that `p` does not meet: "supported", "outcome",
/// "cpus_used", "actions" (expected actions not all predicted). Empty: met.
std::vector<std::string> expect_diff(const Expect& expect, const Prediction& p);

}  // namespace restorelab
