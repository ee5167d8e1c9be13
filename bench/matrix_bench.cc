// Matrix benchmarks: expanding and predicting a matrix of about two million
// combinations, summarised without printing, and covering arrays for the
// ten-axis restore model (scenarios/matrices/restore-10.toml).
#include <benchmark/benchmark.h>

#include <cstdlib>

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

}  // namespace
}  // namespace restorelab
