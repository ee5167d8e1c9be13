// The fixture of the VM tests that share runs (vm_shared.h): every shared
// run once, two VMs at a time, into $RESTORELAB_VM_SHARED_DIR. The tests of
// each scenario check its line and evidence afterwards.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "tests/vm/vm_shared.h"

namespace restorelab::vmtest {
namespace {

TEST(VmSharedTest, SharedRunsBootTwoAtATime) {
  if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  for (const SharedRun& run : shared_runs()) {
    const CliRun r = run_shared(run);
    // Every scenario ran to a verdict: a machine that failed to start is an
    // error line, which no test of a scenario expects.
    std::set<std::string> ids;
    for (const nlohmann::json& line : r.lines) {
      ASSERT_TRUE(line.is_object()) << r.output;
      ids.insert(line["id"].get<std::string>());
      EXPECT_NE(line["verdict"], "error") << line.dump();
    }
    EXPECT_EQ(ids.size(), run.scenarios.size()) << run.name << ":\n" << r.output;
  }
}

}  // namespace
}  // namespace restorelab::vmtest
