// docs/ is kept true to the code it describes: every scenario key and value
// of the key table (rules/keys.h) is in docs/scenario-format.md, and every
// field the result line's writer (harness/run/result_json.cc) can write is in
// docs/results-format.md or docs/remediation.md. A key or field added
// without its words fails here.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "harness/run/result_json.h"
#include "rules/keys.h"
#include "rules/model.h"
#include "tests/docs/docs_test_util.h"

namespace restorelab {
namespace {

bool names(const std::string& document, std::string_view word) {
  return document.find("`" + std::string(word) + "`") != std::string::npos;
}

template <class E>
void expect_every_value_named(const std::string& document, const char* what) {
  for (std::string_view name : EnumNames<E>::names)
    EXPECT_TRUE(names(document, name)) << "docs/scenario-format.md does not name the " << what << " `" << name << "`";
}

TEST(DocsFormatsTest, EveryScenarioKeyAndValueIsInTheScenarioFormat) {
  const std::string doc = testing::read_text(restorelab::source_path("/docs/scenario-format.md"));
  for (const KeyInfo& k : all_keys()) {
    if (k.derived) continue;
    // A machine's keys are in its tables by their last name (`hal`,
    // `version`, `database`); the others by their path (`restore.asr`).
    const bool of_a_machine = k.path.starts_with("source.") || k.path.starts_with("destination.");
    const std::string name = of_a_machine ? k.path.substr(k.path.rfind('.') + 1) : k.path;
    EXPECT_TRUE(names(doc, name)) << "docs/scenario-format.md does not name the key " << k.path;
    for (std::string_view value : k.enum_names)
      EXPECT_TRUE(names(doc, value)) << "docs/scenario-format.md does not name " << k.path << " = \"" << value << "\"";
  }
  expect_every_value_named<Outcome>(doc, "outcome");
  expect_every_value_named<Action>(doc, "action");
}

/// Every key of a JSON value, objects within arrays and objects included.
void keys_of(const nlohmann::json& j, std::set<std::string>& out) {
  if (j.is_object())
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
      keys_of(v, out);
    }
  if (j.is_array())
    for (const auto& v : j) keys_of(v, out);
}

TEST(DocsFormatsTest, EveryResultFieldIsInTheResultsFormat) {
  const std::string doc = testing::read_text(restorelab::source_path("/docs/results-format.md")) +
                          testing::read_text(restorelab::source_path("/docs/remediation.md"));
  // A result with every optional part present.
  run::ScenarioResult r;
  r.id = "m/a.b";
  r.scenario = "m/a.b";
  r.file = "x.toml";
  r.axes_json = R"({"source.hal":"acpi-pc"})";
  r.run = 3;
  r.observed.outcome = Outcome::Boots;
  r.observed.stop_code = "0x0000007B";
  r.observed.cpus_used = r.observed.cpus_present = 1;
  r.observed.nics_configured = r.observed.nics_orphaned = r.observed.nics_unconfigured = 0;
  r.observed.detail = "d";
  r.observed.evidence = "e";
  r.observed.error = "x";
  r.verdict = {run::Verdict::Kind::Error, {"outcome"}, "why"};
  r.deviation = "dev";
  r.attempt_outcomes = {"boots", "error"};
  r.reused_from = 1;
  r.timings = {{"source", 1}, {"restore", 1}, {"destination", 1}, {"total", 3}, {"disks", 1}};
  r.kept = run::KeptAccess{"test:///", {"d"}, {"virsh"}};
  run::RemediationResult m;
  m.from = "installation-media";
  m.error = "e";
  m.note = "n";
  m.timings = {{"remediate", 1}, {"boot", 1}};
  r.remediation = m;
  std::set<std::string> fields;
  keys_of(nlohmann::json::parse(run::result_json_line(r)), fields);
  fields.erase("source.hal");  // an axis: a scenario key, not a field
  EXPECT_GT(fields.size(), 35u);
  for (const std::string& f : fields)
    EXPECT_TRUE(names(doc, f)) << "the result line has the field \"" << f
                               << "\", which docs/results-format.md and docs/remediation.md do not name";
}

}  // namespace
}  // namespace restorelab
