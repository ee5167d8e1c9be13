#include "images/guest/hal.h"

#include <gtest/gtest.h>

namespace restorelab::guest {
namespace {

TEST(GuestHalTest, DetectsUniprocessorFromOneCpu) {
  EXPECT_EQ(DetectHal({.acpi = true, .apic = true, .processors = 1}, false), "acpi-uniprocessor");
  EXPECT_EQ(DetectHal({.acpi = true, .apic = true, .processors = 4}, false), "acpi-multiprocessor");
}

TEST(GuestHalTest, DetectsMpsAndStandardPcWithoutAcpi) {
  EXPECT_EQ(DetectHal({.acpi = false, .apic = true, .processors = 2}, false), "mps-multiprocessor");
  EXPECT_EQ(DetectHal({.acpi = false, .apic = true, .processors = 1}, false), "mps-uniprocessor");
  EXPECT_EQ(DetectHal({.acpi = false, .apic = false, .processors = 1}, false), "standard-pc");
  EXPECT_EQ(DetectHal({.acpi = true, .apic = false, .processors = 1}, false), "acpi-pc");
}

TEST(GuestHalTest, VistaAndLaterAlwaysGetTheX64Hal) {
  EXPECT_EQ(DetectHal({.acpi = true, .apic = true, .processors = 1}, true), "acpi-x64");
}

TEST(GuestHalTest, CompatiblePairsStart) {
  EXPECT_EQ(CheckHal("acpi-uniprocessor", "acpi-uniprocessor"), HalVerdict::kIdentical);
  EXPECT_EQ(CheckHal("acpi-uniprocessor", "acpi-multiprocessor"), HalVerdict::kCompatible);
  EXPECT_EQ(CheckHal("mps-multiprocessor", "mps-uniprocessor"), HalVerdict::kCompatible);
}

TEST(GuestHalTest, AcpiHalWithoutAcpiFirmwareIsStopA5) {
  EXPECT_EQ(CheckHal("acpi-multiprocessor", "mps-multiprocessor"), HalVerdict::kStopA5);
}

TEST(GuestHalTest, NonAcpiHalOnAcpiFirmwareHangs) {
  EXPECT_EQ(CheckHal("mps-multiprocessor", "acpi-multiprocessor"), HalVerdict::kHang);
  EXPECT_EQ(CheckHal("standard-pc", "acpi-pc"), HalVerdict::kHang);
}

TEST(GuestHalTest, OtherIncompatiblePairsAreStop79) {
  EXPECT_EQ(CheckHal("acpi-pc", "acpi-uniprocessor"), HalVerdict::kStop79);
  EXPECT_EQ(CheckHal("standard-pc", "mps-uniprocessor"), HalVerdict::kStop79);
}

TEST(GuestHalTest, KnowsTheNt5Versions) {
  EXPECT_TRUE(IsNt5("windows-server-2003"));
  EXPECT_TRUE(IsNt5("windows-nt4"));
  EXPECT_FALSE(IsNt5("windows-vista"));
}

}  // namespace
}  // namespace restorelab::guest
