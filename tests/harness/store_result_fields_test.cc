// The one table of a result's fields (harness/store/result_fields.h): the
// order and form every writer gives an object, the errors every reader
// gives, and the fields `results compare` reports.
#include "harness/store/result_fields.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace restorelab {
namespace {

using Json = nlohmann::ordered_json;

TEST(ResultFieldsTest, AnObjectIsWrittenInTheTablesOrderWithAbsentFieldsNullOrLeftOut) {
  // Built in another order, with a member the table does not name.
  const Json kept = {{"commands", {"virsh list"}}, {"bogus", 1}, {"uri", "test:///"}};
  EXPECT_EQ(result_json_text(ResultScope::Kept, kept), R"({"uri":"test:///","domains":null,"commands":["virsh list"]})");
  // `detail`, `seen` and `error` are left out when absent; the others are null.
  const Json observed = {{"seen", "destination boot line"}, {"outcome", "boots"}, {"detail", nullptr}};
  EXPECT_EQ(result_json_text(ResultScope::Observed, observed),
            R"({"outcome":"boots","stop_code":null,"cpus_used":null,"cpus_present":null,"nics_configured":null,)"
            R"("nics_orphaned":null,"nics_unconfigured":null,"mac_changed":null,"degraded":null,)"
            R"("seen":"destination boot line"})");
}

TEST(ResultFieldsTest, TimingsAreWrittenToATenthInPhaseOrder) {
  const Json timings = {{"total", 43.04}, {"disks", 2.06}, {"source", 9.84}, {"unknown", 1.0}};
  EXPECT_EQ(result_json_text(ResultScope::Timings, timings), R"({"source":9.8,"total":43.0,"disks":2.1})");
}

TEST(ResultFieldsTest, TypeErrorsNameTheFieldAndTheObjectItIsIn) {
  const auto error = [](const char* text) { return result_type_error(ResultScope::Line, Json::parse(text)); };
  const std::string good = R"("id":"a","scenario":"a","predicted":{"outcome":"boots"},"observed":{},"verdict":"agree")";
  EXPECT_EQ(error(("{" + good + "}").c_str()), std::nullopt);
  EXPECT_EQ(error(R"({"scenario":"a"})"), "no \"id\"");
  EXPECT_EQ(error(R"({"id":"a","scenario":"a","observed":{}})"), "no \"predicted\" object");
  EXPECT_EQ(error(("{" + good + R"(,"attempts":"1"})").c_str()), "\"attempts\" is not an integer");
  EXPECT_EQ(error(("{" + good + R"(,"reused":1})").c_str()), "\"reused\" is not true or false");
  EXPECT_EQ(error(("{" + good + R"(,"differences":"outcome"})").c_str()), "\"differences\" is not a list");
  EXPECT_EQ(error(R"({"id":"a","scenario":"a","predicted":{"outcome":"boots"},"observed":{"mac_changed":[1]}})"),
            "observed: \"mac_changed\" holds a value that is not a string");
  EXPECT_EQ(error(("{" + good + R"(,"remediation":{"observed":{"cpus_used":"2"}}})").c_str()),
            "remediation: observed: \"cpus_used\" is not an integer");
  EXPECT_EQ(error(("{" + good + R"(,"remediation":{"applied":[]}})").c_str()), "remediation: no \"verdict\"");
  EXPECT_EQ(error(("{" + good + R"(,"kept":[]})").c_str()), "\"kept\" is not an object");
}

TEST(ResultFieldsTest, ResultsCompareReportsTheVerdictTheObservationAndTheRemediation) {
  std::vector<std::pair<ResultScope, std::string_view>> compared;
  for (const ResultFieldInfo* f : compared_result_fields()) compared.emplace_back(f->scope, f->name);
  EXPECT_EQ(compared, (std::vector<std::pair<ResultScope, std::string_view>>{{ResultScope::Line, "verdict"},
                                                                            {ResultScope::Observed, "outcome"},
                                                                            {ResultScope::Observed, "cpus_used"},
                                                                            {ResultScope::Observed, "stop_code"},
                                                                            {ResultScope::Remediation, "verdict"}}));
}

TEST(ResultFieldsTest, EachObjectNamesAFieldOnce) {
  std::set<std::pair<ResultScope, std::string_view>> seen;
  for (const ResultFieldInfo& f : all_result_fields()) {
    EXPECT_TRUE(seen.emplace(f.scope, f.name).second) << f.name;
    EXPECT_EQ(&info(f.field), &f);
    EXPECT_TRUE(!f.members || f.type == ResultType::Object) << f.name << " has members but is not an object";
  }
}

}  // namespace
}  // namespace restorelab
