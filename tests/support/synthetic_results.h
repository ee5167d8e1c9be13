// A results store filled without VMs, for tests and benchmarks of what reads
// it (`results`, `rules test --observed`): scenarios of the built-in matrix,
// each "observed" as a rulebook predicts it, except every `disagree_every`-th,
// which is observed as something else (a hang, or a 0x7B where a hang is predicted).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "harness/run/observation_key.h"
#include "harness/store/results_store.h"
#include "rules/matrix.h"
#include "rules/rulebook.h"

namespace restorelab::testing {

struct SyntheticRun {
  std::size_t results = 100;
  std::size_t disagree_every = 0;  ///< 0: every observation agrees
  std::size_t skip = 0;            ///< start at this valid combination of the built-in matrix
  std::string campaign;
  std::string shard;
};

/// A SyntheticRun (designated initializers would leave fields out, which
/// -Wmissing-field-initializers refuses).
inline SyntheticRun synthetic(std::size_t results, std::size_t disagree_every = 0, std::size_t skip = 0,
                              std::string campaign = "", std::string shard = "") {
  return SyntheticRun{results, disagree_every, skip, std::move(campaign), std::move(shard)};
}

/// Records one finished run into `store`; returns its id (0 on failure, with
/// the message in `error`).
std::int64_t record_synthetic_run(store::ResultsStore& store, const Rulebook& book, const SyntheticRun& run,
                                  std::string& error);

/// One combination of a matrix "observed": as the rulebook predicts it, or
/// as `outcome` when given; recorded flaky or failed (verdict error) when asked.
struct SyntheticObservation {
  Choice choice;
  std::optional<Outcome> outcome;
  bool flaky = false;
  bool failed = false;
};

/// Records one finished run (labelled `campaign`) of `observations` of
/// `matrix`, judged with `book`, their keys made with `inputs` as `run`
/// makes them; returns its id (0 on failure, with the message in `error`).
std::int64_t record_observations(store::ResultsStore& store, const Rulebook& book, const Matrix& matrix,
                                 const std::vector<SyntheticObservation>& observations, const run::KeyInputs& inputs,
                                 const std::string& campaign, std::string& error);

}  // namespace restorelab::testing
