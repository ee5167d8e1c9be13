// libFuzzer target: arbitrary bytes as a results store file, read as
// `results runs`, `results show` and `rules test --observed` read one. A
// store is a file from anywhere (a CI artifact, a shard of another machine):
// whatever it holds, each command ends (no hang: libFuzzer's -timeout), with
// an exit code of the documented set, and without a sanitizer report. A
// store that open() refuses names its path in the message; one it accepts
// lists its runs and reads each one's results and attempts.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/store/results_store.h"

namespace {

using namespace restorelab;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_store: broken promise: %s %s\n", what, detail.c_str());
  __builtin_trap();
}

std::filesystem::path g_dir;

int cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Streams io{out, err, false};
  const int code = run_cli(args, io);
  if (code < 0 || code > 3) fail("an exit code outside 0..3:", std::to_string(code) + " " + err.str());
  return code;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char pattern[] = "/tmp/restorelab-fuzz-store-XXXXXX";
  if (mkdtemp(pattern) == nullptr) std::abort();
  g_dir = pattern;
  std::atexit([] { std::filesystem::remove_all(g_dir); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = g_dir / "results.sqlite";
  const std::string path = file.string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
  {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
  }
  store::StoreOptions read_only;
  read_only.access = store::StoreOptions::Access::ReadOnly;
  read_only.busy_timeout = std::chrono::milliseconds(0);
  {
    auto s = store::ResultsStore::open(path, read_only);
    if (!s) {
      if (!s.error().message.starts_with(path + ": ")) fail("a refusal that does not name the store:", s.error().message);
      if (s.error().exit_code() != 2 && s.error().exit_code() != 3) fail("a refusal with another exit code");
      return 0;
    }
    auto runs = s->runs();
    if (runs) {
      std::set<std::int64_t> ids;
      for (const store::RunRecord& r : *runs) {
        if (!ids.insert(r.id).second) fail("a run listed twice");
        if (ids.size() > 4) break;
        auto results = s->results_of_run(r.id);
        if (!results) continue;
        for (std::size_t i = 0; i < results->size() && i < 4; ++i) (void)s->attempts_of(r.id, (*results)[i].id);
        if (!r.info.campaign.empty()) (void)s->results_of_campaign(r.info.campaign);
      }
    }
  }
  cli({"results", "runs", "--db", path});
  cli({"results", "runs", "--db", path, "--json"});
  cli({"results", "show", "--db", path});
  cli({"results", "show", "--db", path, "--json"});
  cli({"rules", "test", "--observed", path, "--known", "none"});
  return 0;
}
