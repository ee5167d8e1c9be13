// Matrix benchmarks: expanding and predicting a matrix of about two million
// combinations, summarised without printing, and covering arrays for the
// ten-axis restore model (scenarios/matrices/restore-10.toml).
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "rules/behaviour_cover.h"
#include "rules/covering_array.h"
#include "rules/engine.h"
#include "rules/matrix.h"
#include "rules/rulebook.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

const Rulebook& rulebook() {
  static const Rulebook book = [] {
    auto b = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    if (!b) std::abort();
    return std::move(*b);
  }();
  return book;
}

Matrix matrix(const char* name) {
  auto m = load_matrix_file(DiskReader{}, std::string(restorelab::source_path("/scenarios/matrices/")) + name,
                            rulebook().compiler);
  if (!m) std::abort();
  return std::move(*m);
}

// scenarios/matrices/hardware-full.toml: 1,881,600 combinations, every one
// built and validated, the valid ones predicted and counted by outcome.
void BM_MatrixPredictSummary(benchmark::State& state) {
  const Matrix m = matrix("hardware-full.toml");
  const MatrixExpander expander(m);
  const Engine engine(rulebook());
  Scenario s;
  Prediction p;
  std::uint64_t outcomes[enum_count<Outcome>()] = {};
  std::uint64_t combinations = 0;
  for (auto _ : state) {
    expander.for_each([&](const Choice& c) {
      ++combinations;
      if (expander.build(c, s) != MatrixExpander::Status::Valid) return;
      engine.predict(s, p);
      ++outcomes[static_cast<std::size_t>(p.outcome)];
    });
  }
  benchmark::DoNotOptimize(outcomes);
  state.SetItemsProcessed(static_cast<std::int64_t>(combinations));
  state.counters["combinations"] = static_cast<double>(m.size());
}
BENCHMARK(BM_MatrixPredictSummary)->Unit(benchmark::kMillisecond);

void BM_CoveringArray(benchmark::State& state) {
  const Matrix m = matrix("restore-10.toml");
  const MatrixExpander expander(m);
  std::vector<std::size_t> sizes;
  for (const Axis& a : m.axes) sizes.push_back(a.values.size());
  Scenario scratch;
  std::size_t rows = 0;
  for (auto _ : state) {
    auto r = build_covering_array(sizes, {.strength = static_cast<int>(state.range(0)), .seed = 1},
                                  [&](const Choice& c) { return expander.build(c, scratch) == MatrixExpander::Status::Valid; });
    rows = r.rows.size();
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["combinations"] = static_cast<double>(m.size());
}
BENCHMARK(BM_CoveringArray)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);

// `--cover behaviours`: every combination expanded and predicted once, its
// class found, then one representative per class chosen to hold every pair.
// Arg 0: restore-10.toml (108,864 valid of 186,624); 1: hardware-full.toml
// (488,000 valid of 1,881,600).
void BM_CoverBehaviours(benchmark::State& state) {
  const Matrix m = matrix(state.range(0) == 0 ? "restore-10.toml" : "hardware-full.toml");
  const Engine engine(rulebook());
  std::size_t rows = 0, classes = 0, valid = 0, fewest = 0;
  for (auto _ : state) {
    const BehaviourClasses c = classify_behaviours(m, engine);
    const BehaviourCover cover = cover_behaviours(m, c, 1);
    rows = cover.rows.size();
    fewest = cover.bound.rows;
    classes = c.classes.size();
    valid = c.valid();
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["fewest"] = static_cast<double>(fewest);  // cover_lower_bound(): rows can be no fewer
  state.counters["classes"] = static_cast<double>(classes);
  state.counters["valid"] = static_cast<double>(valid);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}
BENCHMARK(BM_CoverBehaviours)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace restorelab
