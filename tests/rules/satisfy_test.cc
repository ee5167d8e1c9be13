#include "rules/satisfy.h"

#include <gtest/gtest.h>

#include "rules/validate.h"
#include <algorithm>

namespace restorelab {
namespace {

Condition compile(const std::string& text) {
  static const ConditionCompiler compiler;
  auto c = compiler.compile(text);
  EXPECT_TRUE(c) << text;
  return c ? *c : Condition{};
}

TEST(SatisfyTest, Smoke) {
  for (const char* text : {"source.firmware == \"uefi\" and source.os.nt5",
                           "source.firmware == \"uefi\"",
                           "restore.kind == \"push-button-reset\" and source.os.nt5",
                           "source.cpus > 1 and source.uniprocessor"}) {
    auto r = satisfy(compile(text));
    std::printf("%s -> %d %s %s\n", text, (int)r.status, r.witness ? r.witness->describe().c_str() : "", r.unknown_reason.c_str());
  }
}

}  // namespace
}  // namespace restorelab
// appended to satisfy_test temporarily
#include <random>
#include <chrono>
#include "rules/rulebook.h"
#include "rules/keys.h"
namespace restorelab {
namespace {
Value random_value(const KeyInfo& k, std::mt19937& rng) {
  auto pick = [&](auto n) { return std::uniform_int_distribution<std::int64_t>(0, static_cast<std::int64_t>(n) - 1)(rng); };
  switch (k.type) {
    case ValueType::Bool: return Value(pick(2) == 1);
    case ValueType::Int: { std::int64_t c[] = {k.min, k.min + 1, k.min + 2, 4, k.max}; return Value(std::clamp(c[pick(5)], k.min, k.max)); }
    case ValueType::Enum: return Value(pick(k.enum_names.size()));
    case ValueType::EnumList: return Value(pick(1 << k.enum_names.size()));
    case ValueType::String: { const char* c[] = {"", "a", "b"}; return Value(std::string(c[pick(3)])); }
    case ValueType::Path: {
      if (k.path.ends_with("systemdrive")) { const char* c[] = {"C:", "D:", "c:"}; return Value(std::string(c[pick(3)])); }
      const char* c[] = {"C:\\WINDOWS", "C:\\WINNT", "D:\\WINDOWS", "c:\\windows", "C:\\WINDOWS\\NTDS", "C:\\WINNT\\NTDS"};
      return Value(std::string(c[pick(6)]));
    }
    case ValueType::StringList: {
      std::vector<std::string> c[] = {{}, {"810161"}, {"office"}, {"domain-controller"}, {"1"}, {"810161", "office", "domain-controller"}};
      return Value(c[pick(6)]);
    }
  }
  return Value(false);
}
TEST(SatisfyTest, RandomCrossCheck) {
  auto book = load_rulebook_file(DiskReader(), std::string(RESTORELAB_SOURCE_DIR) + "/rules/kb249694.toml");
  ASSERT_TRUE(book);
  const auto& rules = book->rules;
  const std::size_t n = rules.size();
  std::vector<std::vector<char>> both(n, std::vector<char>(n)), only(n, std::vector<char>(n));
  std::vector<char> one(n);
  std::mt19937 rng(42);
  int valid = 0;
  for (int iter = 0; iter < 400000; ++iter) {
    Scenario s = baseline_scenario();
    for (const KeyInfo& k : all_keys()) {
      if (k.derived || k.path.starts_with("destination.") || k.path.starts_with("scenario.")) continue;
      if (rng() % 3 == 0) continue;
      if (k.path.ends_with("upgraded_from") && rng() % 2) continue;
      k.set(s, random_value(k, rng));
    }
    if (rng() % 2) {
      s.destination = s.source;
      for (const KeyInfo& k : all_keys())
        if (!k.derived && k.path.starts_with("destination.") && rng() % 6 == 0) k.set(s, random_value(k, rng));
    } else {
      for (const KeyInfo& k : all_keys())
        if (!k.derived && k.path.starts_with("destination.")) k.set(s, random_value(k, rng));
    }
    if (rng() % 2) s.restore.after = PriorRestore::None;
    if (rng() % 3 == 0) s.backup = BackupKind::None;
    if (!is_valid(s)) continue;
    ++valid;
    EvalContext ctx{&s, static_cast<Outcome>(rng() % 10), rng() % 2 == 0};
    std::vector<char> f(n);
    for (std::size_t i = 0; i < n; ++i) f[i] = rules[i].when.eval(ctx);
    for (std::size_t i = 0; i < n; ++i) {
      if (!f[i]) continue;
      one[i] = 1;
      for (std::size_t j = 0; j < n; ++j) (f[j] ? both : only)[i][j] = 1;
    }
  }
  std::printf("valid random scenarios: %d\n", valid);
  auto t0 = std::chrono::steady_clock::now();
  int unsat = 0, unknown = 0, missed = 0;
  double worst = 0; std::string worst_q;
  for (std::size_t i = 0; i < n; ++i) {
    auto r = satisfy(rules[i].when);
    if (r.status != Satisfiability::Satisfiable) std::printf("rule %s: %d %s\n", rules[i].id.c_str(), (int)r.status, r.unknown_reason.c_str());
    EXPECT_FALSE(one[i] && r.status != Satisfiability::Satisfiable) << rules[i].id;
    for (std::size_t j = 0; j < n; ++j)
      for (bool neg : {false, true}) {
        SatTerm t[] = {{&rules[i].when, false}, {&rules[j].when, neg}};
        auto q0 = std::chrono::steady_clock::now();
        auto q = satisfy(t);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - q0).count();
        if (ms > worst) { worst = ms; worst_q = rules[i].id + (neg ? " and not " : " and ") + rules[j].id; }
        const bool seen = neg ? only[i][j] : both[i][j];
        if (FILE* log = std::fopen("/tmp/sat_status.txt", "a")) { std::fprintf(log, "%zu %zu %d %d\n", i, j, neg, (int)q.status); std::fclose(log); }
        if (q.status == Satisfiability::Unsatisfiable) ++unsat;
        if (q.status == Satisfiability::Unknown) { ++unknown; std::printf("unknown %s %s: %s\n", rules[i].id.c_str(), rules[j].id.c_str(), q.unknown_reason.c_str()); }
        if (q.status == Satisfiability::Satisfiable && !seen) ++missed;
        EXPECT_FALSE(seen && q.status != Satisfiability::Satisfiable) << rules[i].id << (neg ? " and not " : " and ") << rules[j].id;
        if (q.witness) {
          EXPECT_TRUE(is_valid(q.witness->scenario));
          EvalContext ctx{&q.witness->scenario, q.witness->outcome, q.witness->supported};
          EXPECT_TRUE(rules[i].when.eval(ctx) && rules[j].when.eval(ctx) != neg);
        }
      }
  }
  auto t1 = std::chrono::steady_clock::now();
  std::printf("pairs: %.1f ms, unsat %d, unknown %d, sat-but-not-sampled %d, worst %.2f ms (%s)\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count(), unsat, unknown, missed, worst, worst_q.c_str());
}
}  // namespace
}  // namespace restorelab
