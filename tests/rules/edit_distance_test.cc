#include "rules/edit_distance.h"

#include <gtest/gtest.h>

#include "rules/diagnostic.h"

namespace restorelab {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsAndSubstitutionsOfBytes) {
  EXPECT_EQ(edit_distance("firmwre", "firmware"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("nightly", "nightly"), 0u);
  EXPECT_EQ(edit_distance("Nightly", "nightly"), 1u);  // case counts: closest_match folds it, not this
}

TEST(ClosestMatchTest, FoldsCaseAndUnderscoresAndTakesAPrefixAsANearMiss) {
  EXPECT_EQ(closest_match("Disk_Bus", {"disk-bus", "firmware"}), "disk-bus");
  EXPECT_EQ(closest_match("acpi-uni", {"acpi-uniprocessor", "acpi-pc"}), "acpi-uniprocessor");
  EXPECT_EQ(closest_match("zzzz", {"firmware"}), "");
  EXPECT_EQ(did_you_mean("firmwre", {"firmware", "hal"}), "did you mean \"firmware\"?");
}

}  // namespace
}  // namespace restorelab
