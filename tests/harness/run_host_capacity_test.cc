// A VM run refuses machines the host cannot give (harness/run/host_capacity.h).
#include "harness/run/host_capacity.h"

#include <gtest/gtest.h>

#include "tests/harness/cli_test_util.h"

namespace restorelab::run {
namespace {

TEST(HostCapacityTest, ProcessorsAreCappedByThePcMachineAndTheHost) {
  Machine m;
  m.hal = Hal::AcpiMultiprocessor;
  m.cpus = 256;
  EXPECT_EQ(exceeds_host(m, "source", {64, 24576}),
            "source.cpus = 256: a VM on this host can have at most 255 (QEMU's pc machine takes 255, and 64 host "
            "processors time-share at most 8 each); predict it instead, or run it on a larger host");
  m.cpus = 17;
  EXPECT_EQ(exceeds_host(m, "destination", {2, 24576}),
            "destination.cpus = 17: a VM on this host can have at most 16 (QEMU's pc machine takes 255, and 2 host "
            "processors time-share at most 8 each); predict it instead, or run it on a larger host");
  m.cpus = 16;
  EXPECT_EQ(exceeds_host(m, "destination", {2, 24576}), std::nullopt);
}

TEST(HostCapacityTest, MemoryIsCappedAtHalfTheHost) {
  Machine m;
  m.memory_mib = 4 * 1024 * 1024;
  EXPECT_EQ(exceeds_host(m, "source", {2, 24000}),
            "source.memory_mib = 4194304: a VM on this host can have at most 12000 MiB (half of its 24000 MiB)");
  m.memory_mib = 12000;
  EXPECT_EQ(exceeds_host(m, "source", {2, 24000}), std::nullopt);
}

TEST(HostCapacityTest, ThisHostIsRead) {
  const HostCapacity host = host_capacity();
  EXPECT_GE(host.cpus, 1);
  EXPECT_GT(host.memory_mib, 0);
}

class RunRefusesTest : public testing::TempDirTest {};

TEST_F(RunRefusesTest, AMachineTooLargeForTheHostBeforeAnyVm) {
  const std::string file = write("big.toml", R"([scenario]
name = "big"
[source]
hal = "acpi-multiprocessor"
cpus = 256
memory_mib = 4194304
[source.os]
version = "windows-server-2003"
edition = "standard"
[destination]
hal = "acpi-multiprocessor"
[destination.os]
version = "windows-server-2003"
edition = "standard"
[backup]
kind = "system-state"
[restore]
kind = "system-state"
)");
  auto r = testing::run_restorelab({"run", file});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(file + ": cannot be run on VMs: source.cpus = 256: a VM on this host can have at most"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace restorelab::run
