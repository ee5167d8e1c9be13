#include "images/guest/nic_binding.h"

#include <gtest/gtest.h>

namespace restorelab::guest {
namespace {

KeyValues OneE1000() {
  return *KeyValues::Parse("nic.count=1\nnic.0.model=e1000\nnic.0.slot=0000:00:03.0\nnic.0.mac=52:54:00:00:00:01\n", "r");
}

TEST(GuestNicBindingTest, SameModelInSameSlotKeepsItsConfigurationWithANewMac) {
  NicReport report = EvaluateNics(OneE1000(), {{"e1000", "0000:00:03.0", "52:54:00:00:00:aa"}});
  EXPECT_EQ(report.configured, 1);
  EXPECT_EQ(report.orphaned, 0);
  EXPECT_EQ(report.mac_changed, std::vector<std::string>{"0000:00:03.0 52:54:00:00:00:01->52:54:00:00:00:aa"});
}

TEST(GuestNicBindingTest, SameModelInAnotherSlotOrphansTheConfiguration) {
  NicReport report = EvaluateNics(OneE1000(), {{"e1000", "0000:00:04.0", "52:54:00:00:00:01"}});
  EXPECT_EQ(report.configured, 0);
  EXPECT_EQ(report.orphaned, 1);
  EXPECT_EQ(report.unconfigured, 1);
}

TEST(GuestNicBindingTest, NoAdaptersLeavesEveryBindingOrphaned) {
  NicReport report = EvaluateNics(OneE1000(), {});
  EXPECT_EQ(report.orphaned, 1);
  EXPECT_EQ(report.unconfigured, 0);
}

TEST(GuestNicBindingTest, ExtraAdaptersAreUnconfigured) {
  NicReport report = EvaluateNics(OneE1000(), {{"e1000", "0000:00:03.0", "52:54:00:00:00:01"},
                                               {"e1000", "0000:00:04.0", "52:54:00:00:00:02"}});
  EXPECT_EQ(report.configured, 1);
  EXPECT_EQ(report.unconfigured, 1);
  EXPECT_TRUE(report.mac_changed.empty());
}

}  // namespace
}  // namespace restorelab::guest
