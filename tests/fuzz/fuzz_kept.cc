// libFuzzer target: arbitrary bytes as a kept run's record (kept.json,
// kept_runs.h), as `restorelab kept` reads it. A record that reads back
// names only what its run may touch: "run" is its folder's name, "prefix" a
// run's domain prefix, every domain starts with it, every scenario name is a
// valid name, the uri has no control character; it writes back and reads
// back the same; `kept` lists it. A record that is refused says which file.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/cli/cli.h"
#include "harness/run/kept_runs.h"
#include "harness/run/run_session.h"
#include "rules/validate.h"

namespace {

using namespace restorelab;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_kept: broken promise: %s %s\n", what, detail.c_str());
  __builtin_trap();
}

std::filesystem::path g_work;
const char* const kRun = "2026-12-02T03-00-00";

int cli(const std::vector<std::string>& args, std::string& out) {
  std::ostringstream o, e;
  Streams io{o, e, false};
  const int code = run_cli(args, io);
  out = o.str();
  return code;
}

void check_read(const run::KeptRun& r) {
  if (r.run != kRun) fail("\"run\" is not the folder's name:", r.run);
  if (!run::valid_domain_prefix(r.prefix)) fail("a prefix that is not a run's:", r.prefix);
  if (std::ranges::any_of(r.uri, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    fail("a uri with a control character");
  for (const run::KeptScenario& s : r.scenarios) {
    if (!s.scenario.empty() && !valid_name(s.scenario)) fail("a scenario name that is not a name:", s.scenario);
    for (const std::string& d : s.domains)
      if (!d.starts_with(r.prefix) || d.size() == r.prefix.size()) fail("a domain of another run:", d);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char pattern[] = "/tmp/restorelab-fuzz-kept-XXXXXX";
  if (mkdtemp(pattern) == nullptr) std::abort();
  g_work = pattern;
  std::filesystem::create_directories(g_work / kRun);
  std::atexit([] { std::filesystem::remove_all(g_work); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path folder = g_work / kRun;
  {
    std::ofstream out(folder / run::kKeptFile, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
  }
  auto read = run::read_kept(folder);
  std::string listed;
  if (cli({"kept", "--work", g_work.string()}, listed) != 0) fail("kept does not list");
  std::string json;
  if (cli({"kept", "--work", g_work.string(), "--json"}, json) != 0) fail("kept --json does not list");
  if (!read) {
    if (!read.error().message.starts_with((folder / run::kKeptFile).string() + ": "))
      fail("a refusal that does not name the record:", read.error().message);
    if (!json.empty()) fail("kept --json lists a record that does not read");
    return 0;
  }
  check_read(*read);
  if (std::ranges::count(json, '\n') != 1) fail("kept --json does not list the record once");
  if (!run::write_kept(*read)) fail("a record that reads does not write");
  auto again = run::read_kept(folder);
  if (!again || !(*again == *read)) fail("a record does not read back as written");
  for (const run::KeptScenario& s : read->scenarios)
    if (!s.domains.empty()) (void)run::way_in_text(s.id, run::way_in(read->uri, s.domains));
  return 0;
}
