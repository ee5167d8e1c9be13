// The results store: recording results as a run does (one transaction each)
// and loading a run's results, with JSON of a real run's size (~1.5 KB per
// result). The store lives in a fresh folder under $TMPDIR (or /tmp).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness/store/results_store.h"

namespace {

using namespace restorelab::store;
namespace fs = std::filesystem;

constexpr int kResults = 10000;

fs::path fresh_folder() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/restorelab-store-bench-XXXXXX";
  return mkdtemp(pattern.data());
}

RunInfo bench_run() {
  RunInfo r;
  r.started = "2026-11-25T18:00:00Z";
  r.version = "0.1.0";
  r.source_commit = "63a3093";
  r.rulebook_hash = "5d41402abc4b2a76";
  r.image_hash = "7d793037a0760186";
  r.accelerator = "tcg";
  r.host = "bench";
  r.argv_json = R"j(["restorelab","run","--json","scenarios/matrices/hal-by-disk.toml"])j";
  return r;
}

// A matrix combination's result as `run` records it; `i` makes it unique.
ResultRecord bench_result(int i) {
  const std::string id = "hal-by-disk/acpi-uniprocessor.virtio." + std::to_string(i);
  const std::string predicted =
      R"j({"supported":false,"outcome":"stop-0x7b","cpus_used":null,"actions":["install-storage-driver","reinstall-apps"]})j";
  const std::string observed =
      R"j({"outcome":"stop-0x7b","stop_code":"0x0000007B","cpus_used":null,"cpus_present":1,"nics_configured":0,)j"
      R"j("nics_orphaned":1,"nics_unconfigured":0,"mac_changed":[],"degraded":[],)j"
      R"j("detail":"no driver for the boot disk's controller (virtio-blk)","seen":"destination boot line"})j";
  const std::string timings = R"j({"source":9.8,"recovery":20.5,"destination":12.1,"total":43.0})j";
  const std::string evidence = "runs/2026-11-25T18-00-00/" + id + "/";
  ResultRecord r;
  r.id = id;
  r.scenario = id;
  r.observation_key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f0" + std::to_string(1000 + i % 9000);
  r.axes_json = R"j({"source.hal":"acpi-uniprocessor","destination.disk_bus":"virtio"})j";
  r.predicted_json = predicted;
  r.observed_json = observed;
  r.verdict = Verdict::KnownDeviation;
  r.deviation = "guest-checks-controller-first";
  r.differences_json = R"j(["outcome"])j";
  r.accelerator = "tcg";
  r.timings_json = timings;
  r.evidence = evidence;
  r.json_line = R"j({"id":")j" + id + R"j(","run":1,"scenario":")j" + id + R"j(","predicted":)j" + predicted +
                R"j(,"observed":)j" + observed +
                R"j(,"verdict":"known-deviation","deviation":"guest-checks-controller-first",)j"
                R"j("differences":["outcome"],"attempts":1,"reused":false,"reused_from":null,"accelerator":"tcg",)j"
                R"j("timings_s":)j" + timings + R"j(,"evidence":")j" + evidence + R"j("})j";
  return r;
}

std::size_t payload_bytes(const ResultRecord& r) {
  return r.id.size() + r.scenario.size() + r.observation_key.size() + r.axes_json->size() + r.predicted_json.size() +
         r.observed_json->size() + r.deviation.size() + r.differences_json.size() + r.timings_json.size() +
         r.evidence.size() + r.json_line.size();
}

std::uintmax_t store_bytes(const fs::path& db) {
  std::uintmax_t total = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto n = fs::file_size(db.string() + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

// One result per iteration, each in its own transaction, into one run of
// a store that starts empty; Iterations(kResults) gives the 10,000.
void BM_StoreRecord(benchmark::State& state) {
  const fs::path folder = fresh_folder();
  const fs::path db = folder / "results.sqlite";
  std::uintmax_t bytes_after = 0, bytes_before = 0;
  {
    auto store = ResultsStore::open(db);
    if (!store) {
      state.SkipWithError(store.error().message.c_str());
      return;
    }
    const std::int64_t run = store->begin_run(bench_run()).value();
    bytes_before = store_bytes(db);
    std::vector<ResultRecord> results;
    for (int i = 0; i < kResults; ++i) results.push_back(bench_result(i));
    int i = 0;
    for (auto _ : state) {
      if (!store->record_result(run, results[static_cast<std::size_t>(i++ % kResults)])) {
        state.SkipWithError("record_result failed");
        break;
      }
    }
    state.counters["payload_B"] = static_cast<double>(payload_bytes(results[0]));
  }
  bytes_after = store_bytes(db);  // closed: the WAL is checkpointed into the file
  state.SetItemsProcessed(state.iterations());
  state.counters["file_B_per_result"] =
      static_cast<double>(bytes_after - bytes_before) / static_cast<double>(state.iterations());
  state.counters["file_MiB"] = static_cast<double>(bytes_after) / (1024.0 * 1024.0);
  fs::remove_all(folder);
}
BENCHMARK(BM_StoreRecord)->Iterations(kResults)->Unit(benchmark::kMicrosecond)->UseRealTime();

// results_of_run over a run of 10,000 results.
void BM_StoreLoad(benchmark::State& state) {
  const fs::path folder = fresh_folder();
  const fs::path db = folder / "results.sqlite";
  std::int64_t run = 0;
  {
    auto store = ResultsStore::open(db);
    run = store->begin_run(bench_run()).value();
    for (int i = 0; i < kResults; ++i)
      if (!store->record_result(run, bench_result(i))) state.SkipWithError("record_result failed");
  }
  {
    StoreOptions read_only;
    read_only.access = StoreOptions::Access::ReadOnly;
    auto store = ResultsStore::open(db, read_only);
    for (auto _ : state) {
      auto results = store->results_of_run(run);
      benchmark::DoNotOptimize(results);
      if (!results || results->size() != static_cast<std::size_t>(kResults)) state.SkipWithError("load failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * kResults);
  fs::remove_all(folder);
}
BENCHMARK(BM_StoreLoad)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
