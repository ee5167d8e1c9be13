// VM tests of `run --remediate` (remediation.md): the prescribed fix carried
// out on the restored destination, which then boots again through its
// firmware and loader. Each test also checks the first boot, so these
// scenarios need no plain run of their own.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/vm/vm_cli.h"
#include "tests/vm/vm_shared.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;


/// The scenario's line in its shared remediation run (vm_shared.h), and that
/// run's exit status.
struct Remediated {
  json line;
  int exit_code = -1;
  std::string output;
};

Remediated remediated(const std::string& run, const std::string& id) {
  const vmtest::CliRun& r = vmtest::shared_result(run);
  return {vmtest::shared_line(run, id), r.exit_code, r.output};
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The evidence of the remediation VMs is there like that of the others.
void expect_evidence(const json& line) {
  const fs::path evidence = line["evidence"].get<std::string>();
  for (const char* f : {"remediate.xml", "remediate.job", "remediate.serial.log", "remediated.xml",
                        "remediated.serial.log"})
    EXPECT_TRUE(fs::exists(evidence / f)) << evidence / f;
}

class VmRemediationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  }
};

// KB 249694: a uniprocessor HAL uses one of four processors until the HAL is
// updated; the update, made in the started system, removes `nosmp` from the
// loader and the next start brings all four online.
TEST_F(VmRemediationTest, AnHalUpdateBringsAllFourProcessorsOnline) {
  const Remediated r = remediated("remediate", "vm-up-on-mp");
  ASSERT_TRUE(r.line.is_object()) << r.output;
  EXPECT_EQ(r.line["observed"]["outcome"], "boots-degraded") << r.output;
  EXPECT_EQ(r.line["observed"]["cpus_used"], 1);
  EXPECT_EQ(r.line["verdict"], "agree");
  const json& m = r.line["remediation"];
  EXPECT_EQ(m["verdict"], "fixed") << r.output;
  EXPECT_EQ(m["from"], "started-system");
  EXPECT_NE(std::ranges::find(m["applied"], "update-hal"), m["applied"].end()) << m.dump();
  EXPECT_EQ(m["observed"]["outcome"], "boots");
  EXPECT_EQ(m["observed"]["cpus_used"], 4);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_evidence(r.line);
  // The remediation ran in the started system: through the loader on its disk.
  const fs::path evidence = r.line["evidence"].get<std::string>();
  EXPECT_EQ(read(evidence / "remediate.xml").find("<kernel>"), std::string::npos);
}

// KB 249694 / KB 314082: a restore onto an AHCI controller stops with 0x7B;
// an in-place upgrade from installation media installs the controller's
// boot-start driver, and the next start through the loader finds its disk.
TEST_F(VmRemediationTest, AnInPlaceUpgradeFromMediaCuresAnIdeToSataStop0x7B) {
  const Remediated r = remediated("remediate", "vm-ide-to-sata");
  ASSERT_TRUE(r.line.is_object()) << r.output;
  EXPECT_EQ(r.line["observed"]["outcome"], "stop-0x7b") << r.output;
  EXPECT_EQ(r.line["verdict"], "agree");
  const json& m = r.line["remediation"];
  EXPECT_EQ(m["verdict"], "fixed") << r.output;
  EXPECT_EQ(m["from"], "installation-media");
  EXPECT_EQ(m["applied"], json::array({"in-place-upgrade"}));
  // Nothing of RPC in the model: skipped, never applied.
  EXPECT_EQ(m["skipped"], json::array({"verify-rpc-client-protocols"}));
  EXPECT_EQ(m["observed"]["outcome"], "boots");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_evidence(r.line);
  const std::string serial = read(fs::path(r.line["evidence"].get<std::string>()) / "remediated.serial.log");
  EXPECT_NE(serial.find("\"drivers_loaded\":[\"ide\",\"sata\"]"), std::string::npos) << serial;
}

// A network adapter of another model in the same slot orphans the old
// adapter's configuration (boots-degraded); the NIC actions re-bind it to the
// present adapter and remove what is left, so nothing stays orphaned.
TEST_F(VmRemediationTest, TheNicActionsLeaveNoOrphanedConfiguration) {
  const Remediated r = remediated("remediate", "vm-nic-model-changed");
  ASSERT_TRUE(r.line.is_object()) << r.output;
  EXPECT_EQ(r.line["observed"]["outcome"], "boots-degraded") << r.output;
  EXPECT_EQ(r.line["observed"]["nics_orphaned"], 1);
  const json& m = r.line["remediation"];
  EXPECT_EQ(m["verdict"], "fixed") << r.output;
  EXPECT_EQ(m["applied"], json::array({"reconfigure-hardware-bound-apps", "remove-network-adapter"}));
  EXPECT_EQ(m["observed"]["outcome"], "boots");
  EXPECT_EQ(m["observed"]["nics_orphaned"], 0);
  EXPECT_EQ(m["observed"]["nics_configured"], 1);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// An action that cannot cure the symptom is reported not-fixed, not hidden:
// the HAL update alone (the other predicted actions left out) on a system
// that stops with 0x7B leaves it stopping; the run exits 1.
TEST_F(VmRemediationTest, AnHalUpdateCannotCureAStop0x7BAndIsReportedNotFixed) {
  const Remediated r = remediated("remediate-hal-only", "vm-up-ide-to-mp-virtio");
  ASSERT_TRUE(r.line.is_object()) << r.output;
  EXPECT_EQ(r.line["observed"]["outcome"], "stop-0x7b") << r.output;
  const json& m = r.line["remediation"];
  EXPECT_EQ(m["verdict"], "not-fixed") << r.output;
  EXPECT_EQ(m["applied"], json::array({"update-hal"}));
  EXPECT_EQ(m["skipped"], json::array({"in-place-upgrade", "verify-rpc-client-protocols"}));
  EXPECT_EQ(m["observed"]["outcome"], "stop-0x7b");
  EXPECT_EQ(m["differences"], json::array({"outcome: stop-0x7b, not boots"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
}

}  // namespace
}  // namespace restorelab::run
