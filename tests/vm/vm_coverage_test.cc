// The behaviour loop on VMs, as a user runs it (README "Every behaviour of a
// matrix"): `run --cover behaviours` boots one combination per behaviour
// class of a small matrix, `results coverage` then finds every class
// observed, the same run again starts no VM, and a changed rulebook boots
// only the classes it creates that nothing observed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>

#include "harness/machines/process.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = "/var/tmp/restorelab-vm-coverage-test";
const std::string kMatrix = std::string(RESTORELAB_VM_SCENARIOS) + "/../matrices/coverage.toml";

struct Cli {
  int exit_code = -1;
  std::string out;                    ///< stdout and stderr
  std::vector<nlohmann::json> lines;  ///< `run --json`'s lines
};

Cli cli(std::vector<std::string> args) {
  args.insert(args.begin(), RESTORELAB_VM_CLI);
  Cli r;
  auto p = machines::run_process(args, std::chrono::minutes(20));
  if (!p) {
    r.out = p.error().message;
    return r;
  }
  r.exit_code = p->exit_code;
  r.out = p->output;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);)
    if (l.starts_with("{\"id\"")) r.lines.push_back(nlohmann::json::parse(l, nullptr, false));
  return r;
}

Cli run_cover(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"run", "--json", "--cover", "behaviours", "--jobs", "2", "--known", "none",
                                   "--work", (kDir / "work").string(), "--evidence", (kDir / "runs").string(),
                                   "--db", (kDir / "results.sqlite").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(kMatrix);
  return cli(args);
}

nlohmann::json coverage(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"results", "coverage", kMatrix, "--json", "--known", "none",
                                   "--db", (kDir / "results.sqlite").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const Cli r = cli(args);
  EXPECT_LE(r.exit_code, 1) << r.out;
  const auto start = r.out.find('{');
  return start == std::string::npos ? nlohmann::json() : nlohmann::json::parse(r.out.substr(start), nullptr, false);
}

std::size_t booted(const Cli& r) {
  std::size_t n = 0;
  for (const auto& l : r.lines) n += l.value("reused", false) ? 0 : 1;
  return n;
}

TEST(VmCoverageTest, EveryBehaviourOfAMatrixIsObservedAndAChangedRulebookBootsOnlyItsNewClasses) {
  fs::remove_all(kDir);
  fs::create_directories(kDir);

  // 1. One VM run per class (and per pair left), into the store.
  const std::string page = (kDir / "report.html").string();
  const Cli first = run_cover({"--campaign", "behaviours", "--html", page});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  ASSERT_NE(first.out.find(" behaviour classes of 3 valid combinations in "), std::string::npos) << first.out;
  EXPECT_EQ(booted(first), first.lines.size());
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("\"by_class\""), std::string::npos);

  // 2. Every class observed, agreeing.
  const nlohmann::json c = coverage();
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["combinations"], 3);
  EXPECT_EQ(c["unobserved"], 0) << c.dump();
  EXPECT_EQ(c["agree"], c["classes"]) << c.dump();
  EXPECT_EQ(c["pairs_observed"], c["pairs"]);

  // 3. The same selection again: every observation reused, no VM.
  const Cli again = run_cover({});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(again.lines.size(), first.lines.size());
  EXPECT_EQ(booted(again), 0u) << again.out;

  // 4. A rule author adds an action-only rule for a combination the first
  // run did not boot: it becomes a class of its own that nothing observed.
  std::set<std::string> ran;
  for (const auto& l : first.lines) ran.insert(l["axes"]["destination.disk_bus"].get<std::string>());
  std::optional<std::string> spare;
  for (const char* bus : {"ide", "sata", "virtio"})
    if (!ran.contains(bus)) spare = bus;
  ASSERT_TRUE(spare) << "every disk bus has a class of its own: vm-coverage no longer leaves one out";
  std::ifstream rules(source_path("/rules/kb249694.toml"));
  std::string text((std::istreambuf_iterator<char>(rules)), std::istreambuf_iterator<char>());
  text += "\n[[rule]]\nid = \"test-new-rule\"\nwhen = 'destination.disk_bus == \"" + *spare +
          "\"'\nactions = [\"remove-display-adapter\"]\ncite = 'test: \"a new rule\"'\n";
  const std::string changed = (kDir / "changed.toml").string();
  std::ofstream(changed) << text;
  const nlohmann::json before = coverage({"--rules", changed});
  ASSERT_TRUE(before.is_object());
  EXPECT_EQ(before["unobserved"], 1) << before.dump();
  ASSERT_EQ(before["missing"].size(), 1u);
  EXPECT_EQ(before["missing"][0]["summary"].get<std::string>().find("remove-display-adapter") != std::string::npos,
            true);

  // 5. run --rules NEW boots only that class; the rest is reused.
  const Cli author = run_cover({"--rules", changed});
  ASSERT_EQ(author.exit_code, 0) << author.out;
  EXPECT_EQ(booted(author), 1u) << author.out;
  EXPECT_EQ(coverage({"--rules", changed})["unobserved"], 0);
  fs::remove_all(kDir);
}

}  // namespace
}  // namespace restorelab
