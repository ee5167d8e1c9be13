#include "rules/satisfy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "rules/keys.h"
#include "rules/rulebook.h"
#include "rules/validate.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

const Rulebook& project_rulebook() {
  static const Rulebook book = [] {
    auto b = load_rulebook_file(DiskReader(), std::string(restorelab::source_dir()) + "/rules/kb249694.toml");
    EXPECT_TRUE(b) << (b ? "" : format_diagnostics(b.error()));
    return b ? std::move(*b) : Rulebook{};
  }();
  return book;
}

/// Compiled with the project rulebook's helpers (same_hardware() and co).
Condition compile(const std::string& text) {
  auto c = project_rulebook().compiler.compile(text);
  EXPECT_TRUE(c) << text << ": " << (c ? "" : c.error().message);
  return c ? *c : Condition{};
}

Satisfiability status_of(const std::string& text, const SatOptions& options = {}) {
  return satisfy(compile(text), options).status;
}

/// The brief witness, or why there is none.
std::string witness_of(const std::string& text, const SatOptions& options = {}) {
  const SatResult r = satisfy(compile(text), options);
  if (r.status == Satisfiability::Unsatisfiable) return "unsatisfiable";
  if (r.status == Satisfiability::Unknown) return "unknown: " + r.unknown_reason;
  EXPECT_TRUE(!options.valid_only || is_valid(r.witness->scenario)) << text;
  const Condition c = compile(text);
  EXPECT_TRUE(c.eval({&r.witness->scenario, r.witness->outcome, r.witness->supported})) << text;
  return r.witness->describe();
}

constexpr auto Sat = Satisfiability::Satisfiable;
constexpr auto Unsat = Satisfiability::Unsatisfiable;

TEST(SatisfyTest, FindsAValidWitness) {
  EXPECT_EQ(witness_of(R"(source.firmware == "uefi")"), R"(source.firmware = "uefi")");
  const SatResult r = satisfy(compile(R"(source.firmware == "uefi")"));
  ASSERT_TRUE(r.witness);
  // Completed to a valid scenario: UEFI needs Windows Vista or later.
  EXPECT_EQ(r.witness->scenario.source.os.version, OsVersion::Vista);
  EXPECT_EQ(r.witness->scenario.destination.os.version, OsVersion::Ws2003);
  EXPECT_TRUE(is_valid(r.witness->scenario));
}

TEST(SatisfyTest, ConstantConditions) {
  EXPECT_EQ(witness_of("true"), "");
  EXPECT_EQ(status_of("false"), Unsat);
  EXPECT_TRUE(is_valid(baseline_scenario()));
  EXPECT_EQ(satisfy(std::span<const SatTerm>{}).status, Sat);
}

TEST(SatisfyTest, RefusesAConditionThatContradictsItself) {
  EXPECT_EQ(status_of("restore.asr and not restore.asr"), Unsat);
  EXPECT_EQ(status_of("restore.asr and not restore.asr", {.valid_only = false}), Unsat);
  EXPECT_EQ(status_of(R"(system_state() and restore.kind == "bmr")"), Unsat);
  EXPECT_EQ(status_of("source.nics > destination.nics and destination.nics > source.nics"), Unsat);
  EXPECT_EQ(status_of("source.os.filter_drivers != [] and source.os.filter_drivers == []"), Unsat);
  EXPECT_EQ(status_of(R"(source.model == "a" and source.model != "a")"), Unsat);
}

TEST(SatisfyTest, RefusesConditionsOnlyInvalidScenariosMeet) {
  EXPECT_EQ(status_of(R"(source.firmware == "uefi" and source.os.nt5)"), Unsat);
  EXPECT_EQ(witness_of(R"(source.firmware == "uefi" and source.os.nt5)", {.valid_only = false}),
            R"(source.firmware = "uefi", source.os.version = "windows-nt4")");
  for (const char* text : {
           "source.uniprocessor and source.cpus > 1",
           R"(destination.hal == "mps-multiprocessor" and destination.cpus == 1)",
           R"(destination.os.version == "windows-vista" and not destination.acpi)",
           R"(source.os.version == "windows-server-2003" and source.os.edition == "home")",
           R"(source.os.upgraded_from == "windows-10")",
           R"(destination.os.upgraded_from == "windows-7" and destination.os.version == "windows-xp")",
           R"(restore.after == "bmr" and restore.kind == "bmr")",
           R"(restore.kind == "push-button-reset" and source.os.version == "windows-7")",
           R"(restore.kind == "push-button-reset" and backup.kind == "system-state")",
           R"(backup.kind == "system-state" and restore.kind == "bmr")",
           R"("kb810161" in source.os.hotfixes)",
           R"(source.os.systemroot == "WINDOWS")",
           R"(destination.os.systemdrive == "C")",
           R"(source.os.ad.logs == "NTDS")",
       })
    EXPECT_EQ(status_of(text), Unsat) << text;
}

TEST(SatisfyTest, FindsTheValidNeighboursOfInvalidCombinations) {
  EXPECT_EQ(witness_of("not source.uniprocessor and source.cpus > 1 and source.os.nt5"),
            R"(source.hal = "mps-multiprocessor", source.cpus = 2, source.os.version = "windows-nt4")");
  EXPECT_EQ(witness_of(R"(restore.kind == "push-button-reset" and not source.os.nt5)"),
            R"(restore.kind = "push-button-reset", source.os.version = "windows-8.1")");
  EXPECT_EQ(satisfy(compile(R"(restore.kind == "push-button-reset")")).witness->scenario.source.os.version,
            OsVersion::Win81);
  EXPECT_EQ(witness_of(R"(restore.after == "full-server")"), R"(restore.after = "full-server")");
  EXPECT_EQ(witness_of(R"("810161" in source.os.hotfixes)"), R"(source.os.hotfixes = ["810161"])");
  EXPECT_EQ(witness_of(R"(source.os.upgraded_from == "windows-nt4")"), R"(source.os.upgraded_from = "windows-nt4")");
}

TEST(SatisfyTest, ComparesKeysWithEachOther) {
  EXPECT_EQ(witness_of("source.os.systemroot != destination.os.systemroot"),
            R"(source.os.systemroot = 'C:\RESTORELAB1', destination.os.systemroot = 'C:\RESTORELAB2')");
  EXPECT_EQ(witness_of("source.os.systemroot == destination.os.systemroot"),
            R"(source.os.systemroot = 'C:\RESTORELAB1', destination.os.systemroot = 'C:\RESTORELAB1')");
  // Paths compare without regard to letter case.
  EXPECT_EQ(status_of(R"(source.os.systemroot == 'C:\WINDOWS' and destination.os.systemroot == 'c:\windows')"
                      " and source.os.systemroot != destination.os.systemroot"),
            Unsat);
  EXPECT_EQ(witness_of("source.cpus < destination.cpus and destination.cpus < 3"),
            "source.cpus = 1, destination.cpus = 2");
  EXPECT_EQ(witness_of("source.nics != destination.nics and destination.nics != source.memory_mib"),
            "source.nics = 0, destination.nics = 1, source.memory_mib = 16");
}

TEST(SatisfyTest, ReadsThePrediction) {
  EXPECT_EQ(witness_of(R"(outcome == "hang" and not supported)"), R"(outcome = "hang", supported = false)");
  EXPECT_EQ(witness_of(R"(not boots and restore.kind == "bmr")"), R"(outcome = "stop-0x7b", restore.kind = "bmr")");
  EXPECT_EQ(status_of(R"(boots and outcome == "hang")"), Unsat);
  EXPECT_EQ(status_of("supported and not supported"), Unsat);
}

TEST(SatisfyTest, ListsAndEnumLists) {
  EXPECT_EQ(witness_of(R"("810161" in source.os.hotfixes and not "1" in source.os.hotfixes and "2" in source.os.hotfixes)"),
            R"(source.os.hotfixes = ["810161", "2"])");
  EXPECT_EQ(witness_of("source.os.apps != []"), R"(source.os.apps = ["fresh-1"])");
  EXPECT_EQ(witness_of(R"(source.storage_drivers != [] and not ("ide" in source.storage_drivers))"),
            R"(source.storage_drivers = ["sata"])");
  EXPECT_EQ(witness_of("not (destination.disk_bus in source.storage_drivers) and source.disk_bus == destination.disk_bus"),
            R"(destination.disk_bus = "ide", source.storage_drivers = [], source.disk_bus = "ide")");
}

TEST(SatisfyTest, ConjoinsNegatedConditions) {
  const Condition bmr = compile(R"(restore.kind == "bmr")");
  const Condition bmr_or_full = compile(R"(restore.kind in ["bmr", "full-server"])");
  const SatTerm bmr_not_either[] = {{&bmr, false}, {&bmr_or_full, true}};
  EXPECT_EQ(satisfy(bmr_not_either).status, Unsat);
  const SatTerm either_not_bmr[] = {{&bmr_or_full, false}, {&bmr, true}};
  const SatResult r = satisfy(either_not_bmr);
  ASSERT_EQ(r.status, Sat);
  EXPECT_EQ(r.witness->describe(), R"(restore.kind = "full-server")");
}

TEST(SatisfyTest, StaysFastOnSameHardware) {
  // Each proof explores every identical pair of machines; the budget makes
  // a slower search fail here rather than in `rules lint`.
  const SatOptions small{.budget = 20'000};
  EXPECT_EQ(status_of("same_hardware() and not same_hardware()", small), Unsat);
  const Condition after_bmr = compile(R"(system_state() and restore.after == "bmr" and not same_hardware())");
  const Condition different = compile("system_state() and not same_hardware()");
  const SatTerm shadowed[] = {{&after_bmr, false}, {&different, true}};
  EXPECT_EQ(satisfy(shadowed, small).status, Unsat);
  const Condition extra_nics = compile(
      "restores_backup() and not same_hardware() and destination.nics > 1 and not prepare.disabled_extra_nics");
  const SatTerm itself_and_not[] = {{&extra_nics, false}, {&extra_nics, true}};
  const SatResult r = satisfy(itself_and_not, small);
  EXPECT_EQ(r.status, Unsat) << r.steps;
  EXPECT_EQ(witness_of("not same_hardware()"), R"(source.hal = "standard-pc", destination.hal = "mps-uniprocessor")");
}

TEST(SatisfyTest, SaysUnknownRatherThanGuess) {
  // Five literals: only the empty list, each alone and all five are tried,
  // so a list with some other app is never considered.
  const SatResult r = satisfy(compile(R"(source.os.apps != [] and not "a" in source.os.apps and not "b" in source.os.apps)"
                                      R"( and not "c" in source.os.apps and not "d" in source.os.apps and not "e" in source.os.apps)"));
  EXPECT_EQ(r.status, Satisfiability::Unknown);
  EXPECT_EQ(r.unknown_reason, R"("source.os.apps" is tested against 5 values; only some of its subsets were tried)");
  const SatResult budget = satisfy(compile("same_hardware() and not same_hardware()"), {.budget = 10});
  EXPECT_EQ(budget.status, Satisfiability::Unknown);
  EXPECT_EQ(budget.unknown_reason, "the search exceeded its budget of 10 steps");
}

/// A scenario with random values from pools that include the rulebook's
/// literals; about half of them copy the source machine to the destination.
Scenario random_scenario(std::mt19937& rng) {
  auto pick = [&](std::int64_t n) { return std::uniform_int_distribution<std::int64_t>(0, n - 1)(rng); };
  auto value = [&](const KeyInfo& k) -> Value {
    switch (k.type) {
      case ValueType::Bool: return pick(2) == 1;
      case ValueType::Int: return std::clamp<std::int64_t>(std::array{k.min, k.min + 1, k.min + 2, k.max}[pick(4)], k.min, k.max);
      case ValueType::Enum: return pick(static_cast<std::int64_t>(k.enum_names.size()));
      case ValueType::EnumList: return pick(std::int64_t{1} << k.enum_names.size());
      case ValueType::String: return std::string(std::array{"", "a", "b"}[pick(3)]);
      case ValueType::Path:
        if (k.path.ends_with("systemdrive")) return std::string(std::array{"C:", "D:", "c:"}[pick(3)]);
        return std::string(std::array{"C:\\WINDOWS", "C:\\WINNT", "D:\\WINDOWS", "c:\\windows", "C:\\WINDOWS\\NTDS"}[pick(5)]);
      case ValueType::StringList: {
        const std::vector<std::string> lists[] = {{}, {"810161"}, {"office"}, {"domain-controller"}, {"1"},
                                                  {"810161", "office", "domain-controller"}};
        return lists[pick(6)];
      }
    }
    return false;
  };
  Scenario s = baseline_scenario();
  for (const KeyInfo& k : all_keys())
    if (!k.derived && !k.path.starts_with("destination.") && pick(3) != 0) k.set(s, value(k));
  const bool copy = pick(2) == 1;
  if (copy) s.destination = s.source;
  for (const KeyInfo& k : all_keys())
    if (!k.derived && k.path.starts_with("destination.") && (!copy || pick(6) == 0)) k.set(s, value(k));
  if (pick(2)) s.source.os.upgraded_from.reset();
  if (pick(2)) s.restore.after = PriorRestore::None;
  if (pick(3) == 0) s.backup = BackupKind::None;
  return s;
}

TEST(SatisfyTest, AgreesWithRandomValidScenarios) {
  // Whatever a valid scenario shows to be possible, the search must not call
  // unsatisfiable: one rule, two rules, one rule without another.
  const auto& rules = project_rulebook().rules;
  const std::size_t n = rules.size();
  std::vector<char> seen(n * n * 2);
  std::mt19937 rng(249694);
  int valid = 0;
  for (int i = 0; i < 100'000; ++i) {
    Scenario s = random_scenario(rng);
    if (!is_valid(s)) continue;
    ++valid;
    const EvalContext ctx{&s, static_cast<Outcome>(rng() % enum_count<Outcome>()), rng() % 2 == 0};
    std::vector<bool> fires(n);
    for (std::size_t r = 0; r < n; ++r) fires[r] = rules[r].when.eval(ctx);
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; a < n && fires[a] && b < n; ++b) seen[(a * n + b) * 2 + (fires[b] ? 0 : 1)] = 1;
  }
  EXPECT_GT(valid, 500);
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < n; ++b)
      for (bool negated : {false, true}) {
        const SatTerm terms[] = {{&rules[a].when, false}, {&rules[b].when, negated}};
        const SatResult r = satisfy(terms);
        const std::string query = rules[a].id + (negated ? " and not " : " and ") + rules[b].id;
        EXPECT_NE(r.status, Satisfiability::Unknown) << query << ": " << r.unknown_reason;
        if (seen[(a * n + b) * 2 + negated]) {
          EXPECT_EQ(r.status, Sat) << query;
        }
        if (r.witness) {
          EXPECT_TRUE(is_valid(r.witness->scenario)) << query;
          const EvalContext ctx{&r.witness->scenario, r.witness->outcome, r.witness->supported};
          EXPECT_TRUE(rules[a].when.eval(ctx) && rules[b].when.eval(ctx) != negated) << query;
        }
      }
}

TEST(SatisfyTest, FindsEveryValidCombinationOfTheCrossKeyRules) {
  // The search prunes with its own copy of validate.cc's rules: pinning every
  // key those rules read to a valid scenario's values must stay satisfiable.
  std::mt19937 rng(7);
  int checked = 0;
  for (int i = 0; checked < 300 && i < 100'000; ++i) {
    Scenario s = random_scenario(rng);
    if (!is_valid(s)) continue;
    ++checked;
    std::string text = "restore.kind == \"" + std::string(name_of(s.restore.kind)) + "\" and restore.after == \"" +
                       std::string(name_of(s.restore.after)) + "\"";
    if (s.backup != BackupKind::None) text += " and backup.kind == \"" + std::string(name_of(s.backup)) + "\"";
    for (const auto& [side, m] : {std::pair<std::string, const Machine*>{"source", &s.source}, {"destination", &s.destination}}) {
      text += " and " + side + ".hal == \"" + std::string(name_of(m->hal)) + "\" and " + side + ".firmware == \"" +
              std::string(name_of(m->firmware)) + "\" and " + side + ".cpus == " + std::to_string(m->cpus) + " and " +
              side + ".os.version == \"" + std::string(name_of(m->os.version)) + "\" and " + side +
              ".os.edition == \"" + std::string(name_of(m->os.edition)) + "\"";
      if (m->os.upgraded_from)
        text += " and " + side + ".os.upgraded_from == \"" + std::string(name_of(*m->os.upgraded_from)) + "\"";
    }
    EXPECT_EQ(status_of(text), Sat) << text;
  }
  EXPECT_EQ(checked, 300);
}

}  // namespace
}  // namespace restorelab
