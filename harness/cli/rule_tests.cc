#include "harness/cli/rule_tests.h"

#include <cstdio>
#include <filesystem>

#include "harness/output/json_writer.h"
#include "harness/run/prediction_report.h"
#include "harness/output/xml_text.h"

namespace restorelab {

namespace {

std::string actions_text(ActionSet actions) {
  std::string out = "[";
  for (auto name : action_names(actions)) out += (out.size() > 1 ? ", " : "") + std::string(name);
  return out + "]";
}

}  // namespace

RuleTestCase check_expectation(const Scenario& s, const Prediction& p, const Rulebook& book) {
  RuleTestCase c{s.file, s.name, {}, {}};
  for (auto i : p.fired) c.rules.push_back(book.rules[i].id);
  const Expect& e = *s.expect;
  for (const std::string& field : expect_diff(e, p)) {
    if (field == "supported")
      c.differences.push_back({field, *e.supported ? "true" : "false", p.supported ? "true" : "false"});
    else if (field == "outcome")
      c.differences.push_back({field, std::string(name_of(*e.outcome)), std::string(name_of(p.outcome))});
    else if (field == "cpus_used")
      c.differences.push_back({field, std::to_string(*e.cpus_used),
                               p.cpus_used ? std::to_string(*p.cpus_used) : "none (it does not boot)"});
    else
      c.differences.push_back({field, "at least " + actions_text(*e.actions), actions_text(p.actions)});
  }
  return c;
}

std::string rule_tests_text(const std::vector<RuleTestCase>& cases, std::size_t without_expect) {
  std::string out;
  std::size_t failed = 0;
  for (const RuleTestCase& c : cases) {
    if (c.passed()) continue;
    ++failed;
    out += "FAIL " + c.file + " (" + c.scenario + ")\n";
    for (const auto& d : c.differences)
      out += "  " + d.field + ": expected " + d.expected + ", predicted " + d.predicted + "\n";
    std::string rules;
    for (const auto& r : c.rules) rules += (rules.empty() ? "" : ", ") + r;
    out += "  rules fired: " + (rules.empty() ? std::string("none") : rules) + "\n";
  }
  if (without_expect)
    out += std::to_string(without_expect) + " scenario file" + (without_expect == 1 ? "" : "s") +
           " without [expect] not counted\n";
  out += std::to_string(cases.size() - failed) + " passed, " + std::to_string(failed) + " failed\n";
  return out;
}

std::string rule_tests_json(const std::vector<RuleTestCase>& cases) {
  std::string out;
  for (const RuleTestCase& c : cases) {
    JsonWriter json(out);
    json.begin_object().key("file").value(c.file).key("scenario").value(c.scenario);
    json.key("status").value(c.passed() ? "pass" : "fail");
    json.key("differences").begin_array();
    for (const auto& d : c.differences)
      json.begin_object().key("field").value(d.field).key("expected").value(d.expected)
          .key("predicted").value(d.predicted).end_object();
    json.end_array().key("rules").strings(c.rules).end_object();
    out += '\n';
  }
  return out;
}

JunitSuite rule_tests_junit(const std::vector<RuleTestCase>& cases, const std::string& rulebook, double seconds) {
  JunitSuite suite{"restorelab rules test", seconds, {{"rulebook", rulebook}}, {}};
  for (const RuleTestCase& c : cases) {
    JunitCase j;
    j.classname = std::filesystem::path(c.file).parent_path().string();
    j.name = c.scenario;
    j.file = c.file;
    if (!c.passed()) {
      j.failure_type = "expect";
      for (const auto& d : c.differences)
        j.failure_message += (j.failure_message.empty() ? "" : "; ") + d.field + ": expected " + d.expected +
                             ", predicted " + d.predicted;
      for (const auto& r : c.rules) j.failure_text += (j.failure_text.empty() ? "rules fired: " : ", ") + r;
    }
    suite.cases.push_back(std::move(j));
  }
  return suite;
}

}  // namespace restorelab
