// Behaviour coverage over stores filled without VMs: which classes the
// store's observations cover (harness/run/behaviour_coverage.h) and
// `restorelab results coverage`.
#include "harness/run/behaviour_coverage.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <set>
#include <unordered_set>

#include "harness/run/disk_tool.h"
#include "tests/harness/cli_test_util.h"
#include "tests/rules/matrix_test_util.h"
#include "tests/support/synthetic_results.h"

namespace restorelab {
namespace {

using run::ClassStatus;
using testing::SyntheticObservation;

/// Four classes over the matrix below: none (12 combinations), three nics
/// (6), sata (6), both (3), in that order.
constexpr const char* kRules = R"toml(
[[rule]]
id = "sata"
when = 'destination.disk_bus == "sata"'
actions = ["update-hal"]

[[rule]]
id = "three-nics"
when = "destination.nics == 3"
actions = ["disable-extra-nics"]
)toml";

/// kRules and one more rule: the classes with three source NICs split off.
const std::string kNewRules = std::string(kRules) + R"toml(
[[rule]]
id = "three-source-nics"
when = "source.nics == 3"
actions = ["remove-network-adapter"]
)toml";

constexpr const char* kMatrix = R"toml([matrix]
name = "m"
base = "base.toml"

[axes]
"destination.disk_bus" = ["ide", "sata", "virtio"]
"destination.nics" = [1, 2, 3]
"source.nics" = [1, 2, 3]
)toml";

/// Choices of kMatrix: disk bus (ide 0, sata 1, virtio 2), destination nics - 1, source nics - 1.
const Choice kNone{2, 1, 0};       // virtio, 2, 1: class "none", not its representative
const Choice kThreeNics{0, 2, 1};  // ide, 3, 2
const Choice kSata{1, 0, 0};       // sata, 1, 1
const Choice kBoth{1, 2, 2};       // sata, 3, 3

/// `c` observed as predicted, as `outcome`, recorded flaky, or failed.
SyntheticObservation agrees(const Choice& c) { return SyntheticObservation{c, std::nullopt, false, false}; }
SyntheticObservation observed_as(const Choice& c, Outcome o) { return SyntheticObservation{c, o, false, false}; }
SyntheticObservation flaky(const Choice& c) { return SyntheticObservation{c, std::nullopt, true, false}; }
SyntheticObservation failed(const Choice& c) { return SyntheticObservation{c, std::nullopt, false, true}; }

/// Excuses every disagreement of one combination id.
class ExcuseOne final : public run::DeviationRegistry {
 public:
  explicit ExcuseOne(std::string id) : id_(std::move(id)) {}
  std::string excuse(const std::string& id, const Scenario&, Outcome) override { return id == id_ ? "known-1" : ""; }

 private:
  std::string id_;
};

class BehaviourCoverageTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    book = load(kRules);
    auto m = testing::load_matrix_over_base(kMatrix);
    ASSERT_TRUE(m) << format_diagnostics(m.error());
    matrix = std::move(*m);
    db = dir_ + "/results.sqlite";
  }
  static Rulebook load(const char* text) {
    auto b = load_rulebook_text(text, "rules.toml");
    EXPECT_TRUE(b) << format_diagnostics(b.error());
    return b ? std::move(*b) : Rulebook{};
  }
  void record(const std::vector<SyntheticObservation>& observations, const run::KeyInputs& key_inputs,
              const std::string& campaign = "") {
    auto s = store::ResultsStore::open(db);
    ASSERT_TRUE(s) << s.error().message;
    std::string error;
    EXPECT_NE(testing::record_observations(*s, book, matrix, observations, key_inputs, campaign, error), 0) << error;
  }
  std::vector<run::KeyedObservation> stored(std::int64_t run = 0, const std::string& campaign = "") {
    store::StoreOptions read_only;
    read_only.access = store::StoreOptions::Access::ReadOnly;
    auto s = store::ResultsStore::open(db, read_only);
    EXPECT_TRUE(s) << s.error().message;
    auto records = run::results_in_scope(*s, run, campaign);
    EXPECT_TRUE(records) << records.error().message;
    auto observations = run::stored_observations(*records);
    EXPECT_TRUE(observations) << observations.error();
    return observations.value_or(std::vector<run::KeyedObservation>{});
  }
  run::MatrixCoverage coverage(const run::KeyInputs& key_inputs, run::DeviationRegistry* known = nullptr,
                               const Rulebook* with = nullptr) {
    return run::matrix_coverage(matrix, with ? *with : book, stored(), key_inputs, known);
  }
  std::vector<ClassStatus> statuses(const run::MatrixCoverage& c) {
    std::vector<ClassStatus> out;
    for (const auto& k : c.classes) out.push_back(k.status);
    return out;
  }

  Rulebook book;
  Matrix matrix;
  std::string db;
  const run::KeyInputs inputs{"image-a", std::chrono::milliseconds(20000)};
};

/// One class (no rule of kRules fires) of two members on UEFI: a destination
/// with ACPI and APIC, and one without a local APIC that OVMF cannot boot.
constexpr const char* kUefiHalMatrix = R"toml([matrix]
name = "uefi"
base = "base.toml"

[axes]
"source.os.version" = ["windows-7"]
"source.os.edition" = ["professional"]
"destination.os.version" = ["windows-7"]
"destination.os.edition" = ["professional"]
"source.firmware" = ["uefi"]
"destination.firmware" = ["uefi"]
"destination.hal" = ["acpi-pc", "acpi-uniprocessor"]
)toml";

TEST_F(BehaviourCoverageTest, AClassIsRepresentedByAMemberAVmCanRunWhereItHasOne) {
  auto m = testing::load_matrix_over_base(kUefiHalMatrix);
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const run::MatrixCoverage c = run::matrix_coverage(*m, book, {}, inputs, nullptr, seed);
    ASSERT_EQ(c.classes.size(), 1u);
    EXPECT_NE(c.classes[0].representative.find("acpi-uniprocessor"), std::string::npos)
        << "seed " << seed << ": " << c.classes[0].representative;
  }
  // A class whose every member cannot run is still represented.
  std::string only_no_apic = kUefiHalMatrix;
  only_no_apic.replace(only_no_apic.find(R"(, "acpi-uniprocessor")"), std::string_view(R"(, "acpi-uniprocessor")").size(), "");
  auto alone = testing::load_matrix_over_base(only_no_apic);
  ASSERT_TRUE(alone) << format_diagnostics(alone.error());
  const run::MatrixCoverage c = run::matrix_coverage(*alone, book, {}, inputs, nullptr, 1);
  ASSERT_EQ(c.classes.size(), 1u);
  EXPECT_NE(c.classes[0].representative.find("acpi-pc"), std::string::npos) << c.classes[0].representative;
}

TEST_F(BehaviourCoverageTest, AnyMemberOfAClassCountsForIt) {
  record({agrees(kNone), observed_as(kBoth, Outcome::Stop0x7B)}, inputs);
  const run::MatrixCoverage c = coverage(inputs);
  EXPECT_EQ(c.combinations, 27u);
  ASSERT_EQ(c.classes.size(), 4u);
  EXPECT_EQ(statuses(c), (std::vector{ClassStatus::Agree, ClassStatus::Unobserved, ClassStatus::Unobserved,
                                      ClassStatus::Disagree}));
  EXPECT_EQ(c.classes[0].observed, "m/virtio.2.1");
  EXPECT_NE(c.classes[0].representative, "m/virtio.2.1");  // the selection picked another member
  EXPECT_EQ(c.classes[3].observed, "m/sata.3.3");
  EXPECT_EQ(c.observed(), 2u);
  EXPECT_EQ(c.pairs, 27u);
  EXPECT_EQ(c.pairs_observed, 6u);  // two combinations share no pair
  EXPECT_EQ(c.exit_code(), 1);
  EXPECT_EQ(run::coverage_text(c),
            "m: 4 behaviour classes of 27 valid combinations; observed 2 (50 %): 1 agree, 0 known deviation, "
            "1 disagree, 0 flaky; 2 unobserved; 6 of 27 pairs observed\n"
            "  DISAGREE boots, cpus 1; rules sata+three-nics; actions update-hal+disable-extra-nics (3 combinations; "
            "observed m/sata.3.3)\n"
            "  UNOBSERVED boots, cpus 1; rules three-nics; actions disable-extra-nics (6 combinations; run " +
                c.classes[1].representative + ")\n"
            "  UNOBSERVED boots, cpus 1; rules sata; actions update-hal (6 combinations; run " +
                c.classes[2].representative + ")\n");
}

TEST_F(BehaviourCoverageTest, AChangedImageHashOrHangLimitLeavesTheClassesUnobserved) {
  record({agrees(kNone), agrees(kThreeNics), agrees(kSata), agrees(kBoth)}, inputs);
  const run::MatrixCoverage same = coverage(inputs);
  EXPECT_EQ(same.count(ClassStatus::Agree), 4u);
  EXPECT_EQ(same.exit_code(), 0);
  const run::MatrixCoverage other_image = coverage(run::KeyInputs{"image-b", inputs.silence});
  EXPECT_EQ(other_image.count(ClassStatus::Unobserved), 4u);
  EXPECT_EQ(other_image.pairs_observed, 0u);
  EXPECT_EQ(coverage(run::KeyInputs{"image-a", std::chrono::milliseconds(30000)}).count(ClassStatus::Unobserved), 4u);
}

TEST_F(BehaviourCoverageTest, FlakyAndKnownDeviationsAreCountedApart) {
  ExcuseOne known("m/sata.1.1");
  record({agrees(kNone), flaky(kThreeNics), observed_as(kSata, Outcome::Hang)}, inputs);
  const run::MatrixCoverage c = coverage(inputs, &known);
  EXPECT_EQ(statuses(c), (std::vector{ClassStatus::Agree, ClassStatus::Flaky, ClassStatus::KnownDeviation,
                                      ClassStatus::Unobserved}));
  EXPECT_EQ(c.classes[2].deviation, "known-1");
  EXPECT_EQ(c.exit_code(), 1);  // flaky
  // Without the registry the same observation disagrees.
  EXPECT_EQ(coverage(inputs).classes[2].status, ClassStatus::Disagree);
}

TEST_F(BehaviourCoverageTest, ObservationsOfOneKeyThatJudgeDifferentlyAreFlaky) {
  record({agrees(kSata)}, inputs);
  record({observed_as(kSata, Outcome::Hang)}, inputs);
  EXPECT_EQ(coverage(inputs).classes[2].status, ClassStatus::Flaky);
}

TEST_F(BehaviourCoverageTest, AFailedRunObservedNothing) {
  record({failed(kSata)}, inputs);
  EXPECT_EQ(coverage(inputs).classes[2].status, ClassStatus::Unobserved);
}

TEST_F(BehaviourCoverageTest, RunAndCampaignRestrictWhatCounts) {
  record({agrees(kNone)}, inputs, "nightly");
  record({agrees(kSata)}, inputs);
  auto count = [&](std::int64_t run, const std::string& campaign) {
    return run::matrix_coverage(matrix, book, stored(run, campaign), inputs, nullptr).observed();
  };
  EXPECT_EQ(count(0, ""), 2u);
  EXPECT_EQ(count(1, ""), 1u);
  EXPECT_EQ(count(0, "nightly"), 1u);
}

TEST_F(BehaviourCoverageTest, ANewRulebookShowsTheClassesNothingObservedAndRunBootsOnlyThose) {
  // Every class of today's rulebook observed, through its representative.
  const BehaviourClasses old_classes = classify_behaviours(matrix, Engine(book));
  const BehaviourCover old_cover = cover_behaviours(matrix, old_classes, 1);
  std::vector<SyntheticObservation> all;
  for (std::size_t r = 0; r < old_cover.class_rows; ++r) all.push_back(agrees(old_cover.rows[r]));
  record(all, inputs);
  EXPECT_EQ(coverage(inputs).count(ClassStatus::Unobserved), 0u);

  // The new rule splits classes: those nothing observed are missing.
  const Rulebook changed = load(kNewRules.c_str());
  const run::MatrixCoverage c = coverage(inputs, nullptr, &changed);
  EXPECT_EQ(c.classes.size(), 8u);
  const std::uint64_t missing = c.count(ClassStatus::Unobserved);
  EXPECT_GE(missing, 4u);  // four observed combinations cannot cover eight classes
  EXPECT_EQ(c.count(ClassStatus::Disagree), 0u);  // the new rule adds actions only: outcomes still agree

  // `run --cover behaviours --rules NEW` prefers observed combinations: the
  // rows it would boot (no observation) are one per missing class, plus
  // any rows for pairs.
  const BehaviourClasses new_classes = classify_behaviours(matrix, Engine(changed));
  std::unordered_set<std::string> keys;
  for (const auto& o : stored()) keys.insert(o.key);
  const std::vector<bool> observed = run::observed_combinations(matrix, new_classes, keys, inputs);
  const BehaviourCover cover = cover_behaviours(matrix, new_classes, 1, observed);
  std::set<Choice> seen;
  for (std::uint32_t at = 0; at < observed.size(); ++at)
    if (observed[at]) seen.insert(choice_of(matrix, new_classes.combination[at]));
  std::uint64_t to_boot = 0;
  for (std::size_t r = 0; r < cover.class_rows; ++r) to_boot += seen.contains(cover.rows[r]) ? 0 : 1;
  EXPECT_EQ(to_boot, missing);
}

TEST_F(BehaviourCoverageTest, JsonHoldsTheCountsAndTheLists) {
  record({agrees(kNone), observed_as(kBoth, Outcome::Stop0x7B)}, inputs);
  const auto j = nlohmann::json::parse(run::coverage_json(coverage(inputs)));
  EXPECT_EQ(j["matrix"], "m");
  EXPECT_EQ(j["combinations"], 27);
  EXPECT_EQ(j["classes"], 4);
  EXPECT_EQ(j["observed"], 2);
  EXPECT_EQ(j["agree"], 1);
  EXPECT_EQ(j["known_deviation"], 0);
  EXPECT_EQ(j["disagree"], 1);
  EXPECT_EQ(j["flaky"], 0);
  EXPECT_EQ(j["unobserved"], 2);
  EXPECT_EQ(j["pairs"], 27);
  EXPECT_EQ(j["pairs_observed"], 6);
  ASSERT_EQ(j["missing"].size(), 2u);
  EXPECT_EQ(j["missing"][0]["summary"], "boots, cpus 1; rules three-nics; actions disable-extra-nics");
  EXPECT_EQ(j["missing"][0]["status"], "unobserved");
  EXPECT_TRUE(j["missing"][0]["representative"].get<std::string>().starts_with("m/"));
  ASSERT_EQ(j["disagreeing"].size(), 1u);
  EXPECT_EQ(j["disagreeing"][0]["observed"], "m/sata.3.3");
  EXPECT_EQ(j["by_class"].size(), 4u);
}

/// `restorelab results coverage` over files in the test's folder.
class CoverageCommandTest : public BehaviourCoverageTest {
 protected:
  void SetUp() override {
    BehaviourCoverageTest::SetUp();
    matrix_file = write("m/matrix.toml", kMatrix);
    write("m/base.toml", testing::kMatrixBase);
    rules_file = write("rules.toml", kRules);
  }
  run::KeyInputs run_inputs() const {
    return {run::image_inputs_hash(run::images_source_dir()), std::chrono::milliseconds(20000)};
  }
  std::vector<std::string> args(std::vector<std::string> more) const {
    std::vector<std::string> a{"results", "coverage", matrix_file, "--db", db, "--rules", rules_file, "--known", "none"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  std::string matrix_file, rules_file;
};

TEST_F(CoverageCommandTest, JsonOnStdoutAndExitOneOnADisagreement) {
  record({agrees(kNone), agrees(kThreeNics), agrees(kSata), agrees(kBoth)},
         run_inputs());
  auto r = testing::run_restorelab(args({"--json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["agree"], 4);
  EXPECT_EQ(j["unobserved"], 0);
  record({observed_as(kSata, Outcome::Hang)}, run_inputs());
  r = testing::run_restorelab(args({"--run", "2"}));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(r.out.starts_with("m: 4 behaviour classes of 27 valid combinations; observed 1 (25 %): 0 agree, "
                                "0 known deviation, 1 disagree, 0 flaky; 3 unobserved; 3 of 27 pairs observed\n"))
      << r.out;
  const std::string page = dir_ + "/coverage.html";
  r = testing::run_restorelab(args({"--html", page}));
  EXPECT_EQ(r.code, 1) << r.err;
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("\"by_class\""), std::string::npos);
  EXPECT_NE(html.find("Behaviour coverage of "), std::string::npos);
}

TEST_F(CoverageCommandTest, BadInputIsExitTwo) {
  record({agrees(kNone)}, run_inputs());
  auto r = testing::run_restorelab(args({"--run", "7"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab results coverage: " + db + ": no run 7 in the store (the highest run id is 1)\n");
  r = testing::run_restorelab(args({"--run", "x"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab results coverage: --run \"x\" is not a run id; expected a number such as 3\n");
  r = testing::run_restorelab(args({"--campaign", "nope"}));
  EXPECT_EQ(r.code, 2) << r.err;

  const std::string not_a_store = write("notes.txt", "hello\n");
  r = testing::run_restorelab({"results", "coverage", matrix_file, "--db", not_a_store, "--rules", rules_file});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.err.starts_with("restorelab results coverage: " + not_a_store + ": not a restorelab results store"))
      << r.err;

  const std::string bad_matrix = write("m/bad.toml", "[matrix]\nname = \"m\"\nbase = \"base.toml\"\n[axes]\n"
                                                      "\"destination.disk_buss\" = [\"ide\"]\n");
  r = testing::run_restorelab({"results", "coverage", bad_matrix, "--db", db, "--rules", rules_file});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(bad_matrix + ":5:1: error: "), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace restorelab
