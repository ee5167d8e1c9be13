#include "rules/behaviour_cover.h"

#include <gtest/gtest.h>

#include <set>

#include "rules/matrix_limits.h"
#include "rules/source_dir.h"
#include "tests/support/test_paths.h"
#include "tests/rules/matrix_test_util.h"

namespace restorelab {
namespace {

/// Two rules on two axes: four classes (none, sata, three nics, both).
constexpr const char* kTwoRules = R"toml(
[[rule]]
id = "sata"
when = 'destination.disk_bus == "sata"'
actions = ["update-hal"]

[[rule]]
id = "three-nics"
when = "destination.nics == 3"
actions = ["disable-extra-nics"]
)toml";

/// A rule that never fires on the matrices below: one class.
constexpr const char* kNoRule = R"toml(
[[rule]]
id = "never"
when = "destination.nics > 50"
actions = ["update-hal"]
)toml";

Rulebook book_of(const char* text) {
  auto b = load_rulebook_text(text, "rules.toml");
  EXPECT_TRUE(b) << format_diagnostics(b.error());
  return b ? std::move(*b) : Rulebook{};
}

Matrix matrix_of(const std::string& axes, const std::string& constraints = "") {
  auto m = testing::load_matrix_over_base("[matrix]\nname = \"m\"\nbase = \"base.toml\"\n\n[axes]\n" + axes +
                                          constraints);
  EXPECT_TRUE(m) << format_diagnostics(m.error());
  return m ? std::move(*m) : Matrix{};
}

const std::string kThreeAxes = "\"destination.disk_bus\" = [\"ide\", \"sata\", \"virtio\"]\n"
                               "\"destination.nics\" = [1, 2, 3]\n"
                               "\"source.nics\" = [1, 2, 3]\n";

/// What a selection must hold, recomputed from scratch: every prediction
/// some valid combination has, and every pair some valid combination holds;
/// each row valid, predicted as its class, and no row twice.
void expect_covers(const Matrix& m, const Rulebook& book, const BehaviourClasses& classes, const BehaviourCover& cover) {
  const Engine engine(book);
  const MatrixExpander expander(m);
  const PairSpace space(m);
  std::set<std::vector<std::uint32_t>> wanted_fired, got_fired;
  std::set<std::size_t> wanted_pairs, got_pairs;
  Scenario s;
  expander.for_each([&](const Choice& c) {
    if (expander.build(c, s) != MatrixExpander::Status::Valid) return;
    wanted_fired.insert(engine.predict(s).fired);
    space.for_each(c, [&](std::size_t p) { wanted_pairs.insert(p); });
  });
  ASSERT_EQ(cover.rows.size(), cover.row_class.size());
  std::set<Choice> distinct;
  for (std::size_t r = 0; r < cover.rows.size(); ++r) {
    ASSERT_EQ(expander.build(cover.rows[r], s), MatrixExpander::Status::Valid) << expander.id(cover.rows[r]);
    const Prediction p = engine.predict(s);
    EXPECT_EQ(p, classes.classes[cover.row_class[r]].prediction) << expander.id(cover.rows[r]);
    if (r < cover.class_rows) {
      EXPECT_EQ(cover.row_class[r], r);
    }
    got_fired.insert(p.fired);
    space.for_each(cover.rows[r], [&](std::size_t pair) { got_pairs.insert(pair); });
    EXPECT_TRUE(distinct.insert(cover.rows[r]).second) << "twice: " << expander.id(cover.rows[r]);
  }
  EXPECT_EQ(got_fired, wanted_fired);
  EXPECT_EQ(got_pairs, wanted_pairs);
  EXPECT_EQ(cover.pairs_covered, wanted_pairs.size());
  EXPECT_EQ(classes.pairs_held, wanted_pairs.size());
  EXPECT_EQ(cover.class_rows, classes.classes.size());
}

TEST(BehaviourCoverTest, HoldsEveryClassAndEveryPairOfASmallMatrix) {
  const Rulebook book = book_of(kTwoRules);
  const Matrix m = matrix_of(kThreeAxes);
  const BehaviourClasses classes = classify_behaviours(m, Engine(book));
  ASSERT_EQ(classes.classes.size(), 4u);
  EXPECT_EQ(classes.valid(), 27u);
  // In order of first member: ide.1.1 (none), ide.3.1 (three nics), sata.1.1, sata.3.1.
  EXPECT_EQ(behaviour_summary(classes.classes[0].prediction, book), "boots, cpus 1; rules none; actions none");
  EXPECT_EQ(behaviour_summary(classes.classes[3].prediction, book),
            "boots, cpus 1; rules sata+three-nics; actions update-hal+disable-extra-nics");
  EXPECT_EQ(classes.classes[0].members, 12u);
  EXPECT_EQ(classes.classes[1].members, 6u);
  EXPECT_EQ(classes.classes[2].members, 6u);
  EXPECT_EQ(classes.classes[3].members, 3u);
  EXPECT_EQ(classes.pairs_held, 27u);
  const BehaviourCover cover = cover_behaviours(m, classes, 1);
  expect_covers(m, book, classes, cover);
  // 27 pairs, 3 a row: at least 9 rows, and 9 it takes.
  EXPECT_EQ(cover.bound.rows, 9u);
  EXPECT_EQ(cover.rows.size(), 9u);
}

TEST(BehaviourCoverTest, TheBoundCountsClassesThatCannotHoldAPairOfTheTightestAxes) {
  auto book = load_rulebook_file(DiskReader{}, testing::test_data_path("/rulebooks/many-classes-below-three-nics.toml"));
  ASSERT_TRUE(book) << format_diagnostics(book.error());
  auto m = load_matrix_file(DiskReader{}, testing::test_data_path("/matrices/tight-pairs.toml"), book->compiler);
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  const BehaviourClasses classes = classify_behaviours(*m, Engine(*book));
  ASSERT_EQ(classes.classes.size(), 17u);
  // NICs x disk bus: 12 pairs. The four with three NICs fall in one class,
  // so one class row holds one of them; the eight others fit eight of the
  // 16 other classes: 9 held by class rows, so three rows beyond the 17
  // classes, though no pair of axes has more than 16 pairs.
  const CoverBound bound = cover_lower_bound(*m, classes);
  ASSERT_TRUE(bound.computed);
  EXPECT_EQ(m->axes[bound.axis_a].key, "destination.nics");
  EXPECT_EQ(m->axes[bound.axis_b].key, "destination.disk_bus");
  EXPECT_EQ(bound.held, 12u);
  EXPECT_EQ(bound.matched, 9u);
  EXPECT_EQ(bound.rows, 20u);
  for (std::uint64_t seed = 1; seed < 4; ++seed) {
    const BehaviourCover cover = cover_behaviours(*m, classes, seed);
    expect_covers(*m, *book, classes, cover);
    EXPECT_EQ(cover.rows.size(), 20u) << "seed " << seed;
    EXPECT_EQ(cover.bound.rows, 20u);
  }
}

TEST(BehaviourCoverTest, PairsTheConstraintsExcludeAreNotDemanded) {
  const Rulebook book = book_of(kTwoRules);
  const Matrix m = matrix_of(kThreeAxes, "[constraints]\nexclude = ['destination.disk_bus == \"sata\" and "
                                         "destination.nics == 3']\n");
  const BehaviourClasses classes = classify_behaviours(m, Engine(book));
  EXPECT_EQ(classes.excluded, 3u);
  EXPECT_EQ(classes.classes.size(), 3u);  // sata with three nics is gone
  EXPECT_EQ(classes.pairs_held, 26u);     // and so is the pair (sata, 3)
  const PairSpace space(m);
  std::size_t excluded_pair = space.size();
  for (std::size_t p = 0; p < space.size(); ++p)
    if (!classes.pair_held[p]) excluded_pair = p;
  ASSERT_LT(excluded_pair, space.size());
  EXPECT_EQ(space.describe(m, excluded_pair), "destination.disk_bus=sata, destination.nics=3");
  const BehaviourCover cover = cover_behaviours(m, classes, 1);
  expect_covers(m, book, classes, cover);
}

TEST(BehaviourCoverTest, AOneClassMatrixStillHoldsEveryPair) {
  const Rulebook book = book_of(kNoRule);
  const Matrix m = matrix_of("\"destination.disk_bus\" = [\"ide\", \"sata\", \"virtio\"]\n"
                             "\"destination.nics\" = [1, 2, 3]\n");
  const BehaviourClasses classes = classify_behaviours(m, Engine(book));
  ASSERT_EQ(classes.classes.size(), 1u);
  const BehaviourCover cover = cover_behaviours(m, classes, 1);
  expect_covers(m, book, classes, cover);
  EXPECT_EQ(cover.rows.size(), 9u);  // two axes: each row holds one pair
  EXPECT_EQ(cover.class_rows, 1u);
}

TEST(BehaviourCoverTest, ClassesThatOutnumberThePairsTakeOneRowEach) {
  // One axis: no pairs at all, two classes.
  const Rulebook book = book_of(kTwoRules);
  const Matrix single = matrix_of("\"destination.nics\" = [1, 2, 3]\n");
  const BehaviourClasses two = classify_behaviours(single, Engine(book));
  EXPECT_EQ(two.classes.size(), 2u);
  EXPECT_EQ(two.pairs_held, 0u);
  const BehaviourCover rows = cover_behaviours(single, two, 1);
  expect_covers(single, book, two, rows);
  EXPECT_EQ(rows.rows.size(), 2u);  // one per class, nothing else asked for
}

TEST(BehaviourCoverTest, SameInputsSameRowsAndTheSeedChangesRepresentatives) {
  const Rulebook book = book_of(kTwoRules);
  const Matrix m = matrix_of(kThreeAxes);
  const BehaviourClasses classes = classify_behaviours(m, Engine(book));
  const BehaviourCover a = cover_behaviours(m, classes, 1);
  const BehaviourCover again = cover_behaviours(m, classify_behaviours(m, Engine(book)), 1);
  EXPECT_EQ(a.rows, again.rows);
  bool changed = false;
  for (std::uint64_t seed = 2; seed < 6; ++seed) {
    const BehaviourCover other = cover_behaviours(m, classes, seed);
    expect_covers(m, book, classes, other);
    changed = changed || other.rows != a.rows;
  }
  EXPECT_TRUE(changed);
}

TEST(BehaviourCoverTest, APreferredMemberRepresentsItsClass) {
  const Rulebook book = book_of(kTwoRules);
  const Matrix m = matrix_of(kThreeAxes);
  const BehaviourClasses classes = classify_behaviours(m, Engine(book));
  // Prefer the last member of every class.
  std::vector<bool> preferred(classes.valid(), false);
  std::vector<std::uint32_t> last(classes.classes.size());
  for (std::uint32_t at = 0; at < classes.valid(); ++at) last[classes.class_of[at]] = at;
  for (std::uint32_t at : last) preferred[at] = true;
  const BehaviourCover cover = cover_behaviours(m, classes, 1, preferred);
  for (std::size_t k = 0; k < classes.classes.size(); ++k)
    EXPECT_EQ(cover.rows[k], choice_of(m, classes.combination[last[k]])) << "class " << k;
  expect_covers(m, book, classes, cover);
}

TEST(BehaviourCoverTest, TheProjectMatricesTakeOneRowPerClass) {
  auto book = load_rulebook_file(DiskReader{}, source_path("/rules/kb249694.toml"));
  ASSERT_TRUE(book) << format_diagnostics(book.error());
  for (auto [file, classes_wanted, pairs_wanted] :
       {std::tuple{"hal-by-disk.toml", 22u, 0u}, std::tuple{"restore-10.toml", 276u, 633u}}) {
    auto m = load_matrix_file(DiskReader{}, std::string(source_path("/scenarios/matrices/")) + file, book->compiler);
    ASSERT_TRUE(m) << format_diagnostics(m.error());
    const BehaviourClasses classes = classify_behaviours(*m, Engine(*book));
    EXPECT_EQ(classes.classes.size(), classes_wanted) << file;
    if (pairs_wanted) {
      EXPECT_EQ(classes.pairs_held, pairs_wanted) << file;
    }
    const BehaviourCover cover = cover_behaviours(*m, classes, 1);
    EXPECT_EQ(cover.bound.rows, classes.classes.size()) << file;
    EXPECT_EQ(cover.rows.size(), classes.classes.size()) << file;
    EXPECT_EQ(cover.pairs_covered, classes.pairs_held) << file;
  }
}

TEST(BehaviourCoverTest, RefusesAMatrixTooLargeToClassify) {
  // 13 axes of 4 values: 67,108,864 combinations, 768 MiB.
  std::string axes;
  for (const char* side : {"source", "destination"})
    for (const char* key : {"model", "os.systemdrive", "os.systemroot", "os.ad.database", "os.ad.logs",
                            "os.ad.frs_database"})
      axes += "\"" + std::string(side) + "." + key + "\" = [\"0\", \"1\", \"2\", \"3\"]\n";
  axes += "\"source.os.ad.frs_logs\" = [\"0\", \"1\", \"2\", \"3\"]\n";
  const Matrix m = matrix_of(axes);
  auto refused = check_matrix_work(m, MatrixWork{0, true, true});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->to_string(),
            "m/matrix.toml:5:1: error: selecting by behaviour means predicting each of the 67108864 combinations "
            "and holding about 768.0 MiB, more than the 256.0 MiB that restorelab allows; use --strength 2 for a "
            "pairwise covering array, or fewer axes or values");
  EXPECT_FALSE(check_matrix_work(m, MatrixWork{2, true, false}));
  EXPECT_FALSE(check_matrix_work(matrix_of(kThreeAxes), MatrixWork{0, true, true}));
}

TEST(BehaviourCoverTest, WritesCountsWithCommas) {
  EXPECT_EQ(with_commas(0), "0");
  EXPECT_EQ(with_commas(633), "633");
  EXPECT_EQ(with_commas(108864), "108,864");
  EXPECT_EQ(with_commas(1881600), "1,881,600");
}

}  // namespace
}  // namespace restorelab
