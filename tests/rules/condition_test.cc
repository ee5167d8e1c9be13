#include "rules/condition.h"

#include <gtest/gtest.h>

#include "rules/keys.h"

namespace restorelab {
namespace {

Scenario base() {
  Scenario s;
  s.name = "t";
  s.source.hal = Hal::AcpiUniprocessor;
  s.destination.hal = Hal::AcpiMultiprocessor;
  s.defaulted.destination_machine = false;
  s.defaulted.destination_os = false;
  s.source.os.version = s.destination.os.version = OsVersion::Ws2003;
  s.source.os.hotfixes = {"810161"};
  s.source.os.roles = {"domain-controller"};
  s.backup = BackupKind::SystemState;
  resolve_defaults(s);
  return s;
}

bool eval(const std::string& text, const Scenario& s, Outcome outcome = Outcome::Boots) {
  ConditionCompiler compiler;
  auto c = compiler.compile(text);
  EXPECT_TRUE(c) << text << ": " << (c ? "" : c.error().message);
  if (!c) return false;
  EvalContext ctx{&s, outcome, true};
  return c->eval(ctx);
}

std::string error_of(const std::string& text, const ConditionCompiler& compiler = {}) {
  auto c = compiler.compile(text);
  EXPECT_FALSE(c) << text;
  if (c) return "";
  std::string out = std::to_string(c.error().offset) + ": " + c.error().message;
  if (!c.error().suggestion.empty()) out += "; " + c.error().suggestion;
  return out;
}

TEST(ConditionTest, ComparesEnumKeysWithTheirValues) {
  const Scenario s = base();
  EXPECT_TRUE(eval("source.hal == \"acpi-uniprocessor\"", s));
  EXPECT_FALSE(eval("source.hal != 'acpi-uniprocessor'", s));
  EXPECT_TRUE(eval("source.hal != destination.hal", s));
  EXPECT_TRUE(eval("\"acpi-multiprocessor\" == destination.hal", s));
}

TEST(ConditionTest, OrdersVersionsAndNumbers) {
  const Scenario s = base();
  EXPECT_TRUE(eval("source.os.version < \"windows-vista\"", s));
  EXPECT_TRUE(eval("source.os.version >= 'windows-xp'", s));
  EXPECT_TRUE(eval("destination.cpus > source.cpus", s));
  EXPECT_FALSE(eval("destination.cpus <= 1", s));
}

TEST(ConditionTest, TestsMembership) {
  const Scenario s = base();
  EXPECT_TRUE(eval("source.hal in [\"acpi-uniprocessor\", \"acpi-multiprocessor\"]", s));
  EXPECT_TRUE(eval("source.hal not in [\"standard-pc\"]", s));
  EXPECT_TRUE(eval("\"810161\" in source.os.hotfixes", s));
  EXPECT_FALSE(eval("\"123\" in source.os.hotfixes", s));
  EXPECT_TRUE(eval("destination.disk_bus in source.storage_drivers", s));
  EXPECT_FALSE(eval("\"sata\" in source.storage_drivers", s));
  EXPECT_TRUE(eval("source.cpus in [1, 2]", s));
  EXPECT_TRUE(eval("source.os.filter_drivers == []", s));
  EXPECT_TRUE(eval("source.os.roles != []", s));
}

TEST(ConditionTest, ComparesPathsWithoutRegardToCase) {
  Scenario s = base();
  s.destination.os.systemroot = "c:\\windows";
  EXPECT_TRUE(eval("source.os.systemroot == destination.os.systemroot", s));
  EXPECT_TRUE(eval("source.os.systemroot == 'C:\\windows'", s));
  EXPECT_FALSE(eval("source.model != destination.model", s));
}

TEST(ConditionTest, CombinesWithAndOrNotAndParentheses) {
  const Scenario s = base();
  EXPECT_TRUE(eval("not restore.asr and (source.acpi or false)", s));
  EXPECT_TRUE(eval("source.uniprocessor and not destination.uniprocessor", s));
  EXPECT_FALSE(eval("not (source.os.nt5 or restore.asr)", s));
  EXPECT_TRUE(eval("false or true and true", s));  // and binds tighter
}

TEST(ConditionTest, ReadsThePredictionWhenAsked) {
  ConditionCompiler compiler;
  auto c = compiler.compile("boots and outcome != \"boots\"");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->reads_prediction());
  const Scenario s = base();
  EXPECT_TRUE(c->eval({&s, Outcome::BootsDegraded, true}));
  EXPECT_FALSE(c->eval({&s, Outcome::Boots, true}));
  EXPECT_FALSE(c->eval({&s, Outcome::Stop0x7B, true}));
  EXPECT_FALSE(compiler.compile("source.acpi")->reads_prediction());
}

TEST(ConditionTest, InlinesHelpers) {
  ConditionCompiler compiler;
  compiler.define_helper("up", *compiler.compile("source.uniprocessor"));
  auto c = compiler.compile("up() and destination.cpus > 1");
  ASSERT_TRUE(c);
  const Scenario s = base();
  EXPECT_TRUE(c->eval({&s, Outcome::Boots, true}));
  EXPECT_EQ(c->keys().size(), 2u);
}

TEST(ConditionTest, RejectsWithPositionAndSuggestion) {
  EXPECT_EQ(error_of("source.hal == \"acpi-uniproc\""),
            "14: \"acpi-uniproc\" is not a value of \"source.hal\"; expected one of \"standard-pc\", \"mps-uniprocessor\", "
            "\"mps-multiprocessor\", \"acpi-pc\", \"acpi-uniprocessor\", \"acpi-multiprocessor\", \"acpi-x64\"; "
            "did you mean \"acpi-uniprocessor\"?");
  EXPECT_EQ(error_of("source.firmwre == \"bios\""), "0: unknown key \"source.firmwre\"; did you mean \"source.firmware\"?");
  EXPECT_EQ(error_of("same_hardwre()"), "0: unknown helper \"same_hardwre\"");
  EXPECT_EQ(error_of("source.hal = \"standard-pc\""), "11: unexpected \"=\"; expected ==, !=, <, <=, > or >=; write == to compare");
  EXPECT_EQ(error_of("source.cpus == \"2\""), "15: \"source.cpus\" is an integer; expected a number, found \"2\"");
  EXPECT_EQ(error_of("source.hal == destination.cpus"),
            "14: cannot compare \"source.hal\" with \"destination.cpus\": they hold different kinds of value");
  EXPECT_EQ(error_of("(source.acpi"), "12: expected \")\", found \"end of condition\"");
  EXPECT_EQ(error_of("source.acpi and"), "15: expected a key, a value, a helper call or \"(\", found \"end of condition\"");
  EXPECT_EQ(error_of("source.cpus"), "0: \"source.cpus\" is not a condition; expected a comparison, a boolean key or a helper call");
  EXPECT_EQ(error_of(""), "0: empty condition; expected an expression such as restore.kind == \"bmr\"");
  EXPECT_EQ(error_of("source.os.hotfixes < 3"), "19: \"<\" orders numbers and enum values; \"source.os.hotfixes\" is neither");
  EXPECT_EQ(error_of("source.os.systemroot == 'C:"), "24: unterminated text: expected a closing '");
}

TEST(ConditionTest, SuggestsAKnownHelper) {
  ConditionCompiler compiler;
  compiler.define_helper("same_hardware", *compiler.compile("true"));
  EXPECT_EQ(error_of("same_hardwre()", compiler), "0: unknown helper \"same_hardwre\"; did you mean \"same_hardware\"?");
}

}  // namespace
}  // namespace restorelab

namespace restorelab {
namespace {

// Found by fuzzing: hostile conditions are refused, not a stack overflow or
// an exponential blow-up.
TEST(ConditionLimitsTest, RefusesDeepNesting) {
  const std::string deep = std::string(100, '(') + "true" + std::string(100, ')');
  EXPECT_EQ(error_of(deep), "64: the condition nests deeper than 64 levels; use a helper for a part of it");
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_EQ(error_of(nots + "true"), "256: the condition nests deeper than 64 levels; use a helper for a part of it");
}

TEST(ConditionLimitsTest, RefusesHelpersThatDoubleBeyondTheLimit) {
  ConditionCompiler compiler;
  compiler.define_helper("h0", *compiler.compile("restore.asr"));
  std::string last;
  for (int i = 1; i < 20; ++i) {
    const std::string prev = "h" + std::to_string(i - 1) + "()";
    auto c = compiler.compile(prev + " and " + prev);
    if (!c) {
      last = c.error().message;
      break;
    }
    compiler.define_helper("h" + std::to_string(i), std::move(*c));
  }
  EXPECT_EQ(last, "the condition is too large once helpers are expanded (more than 4096 terms)");
}

TEST(ConditionLimitsTest, MemoisedHelpersAgreeWithExpandedOnes) {
  ConditionCompiler compiler;
  compiler.define_helper("up", *compiler.compile("source.uniprocessor"));
  compiler.define_helper("many", *compiler.compile("destination.cpus > 1"));
  auto c = compiler.compile("up() and many() or not up()");
  ASSERT_TRUE(c);
  for (int cpus : {1, 4}) {
    Scenario s = base();
    s.destination.cpus = cpus;
    std::array<std::int8_t, 2> memo{-1, -1};
    EvalContext with{&s, Outcome::Boots, true, memo.data(), &compiler.helpers()};
    EvalContext without{&s, Outcome::Boots, true};
    EXPECT_EQ(c->eval(with), c->eval(without)) << cpus;
    EXPECT_EQ(c->eval(without), cpus == 4);
  }
}

}  // namespace
}  // namespace restorelab
