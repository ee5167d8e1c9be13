// `restorelab rules test --observed` over 10,000 observations made without
// VMs (tests/support/synthetic_results.h): loading the run from the store,
// loading each stored scenario, predicting it again and judging it. The
// store is written once into /dev/shm (or $TMPDIR), where a commit's fsync
// is cheap, before the timing starts.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "harness/cli/observed_check.h"
#include "rules/rulebook.h"
#include "rules/toml_source.h"
#include "tests/support/synthetic_results.h"
#include "rules/source_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace restorelab;

constexpr std::size_t kObservations = 10000;

const std::string& store_path() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string base = fs::is_directory("/dev/shm") ? "/dev/shm" : (tmp != nullptr ? tmp : "/tmp");
    std::string pattern = base + "/restorelab-observed-bench-XXXXXX";
    const std::string dir = mkdtemp(pattern.data());
    const std::string file = dir + "/results.sqlite";
    auto book = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    auto store = store::ResultsStore::open(file);
    std::string error;
    if (!book || !store ||
        testing::record_synthetic_run(*store, *book, testing::synthetic(kObservations, 50), error) == 0) {
      std::fprintf(stderr, "cannot make the store: %s\n", error.c_str());
      std::exit(1);
    }
    return file;
  }();
  return path;
}

void BM_RulesTestObserved(benchmark::State& state) {
  const std::string& db = store_path();
  for (auto _ : state) {
    std::ostringstream out, err;
    Streams io{out, err, false};
    const int code = test_observed({db, "", "", "none", false}, io);
    if (code != 1) state.SkipWithError(("unexpected exit " + std::to_string(code) + ": " + err.str()).c_str());
    benchmark::DoNotOptimize(out.str().size());
  }
  state.counters["observations"] = static_cast<double>(kObservations);
  state.counters["per_second"] =
      benchmark::Counter(static_cast<double>(kObservations), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_RulesTestObserved)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
