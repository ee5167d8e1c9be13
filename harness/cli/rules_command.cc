// `restorelab rules lint|test|diff|coverage`: the rule author's tools.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/dispatch.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/observed_check.h"
#include "harness/output/json_writer.h"
#include "harness/output/output_file.h"
#include "harness/machines/process.h"
#include "harness/cli/rule_tests.h"
#include "rules/lint.h"
#include "rules/matrix_limits.h"
#include "rules/rule_analysis.h"
#include "rules/source_dir.h"

namespace restorelab {

namespace {

int bad_input() { return static_cast<int>(ExitCode::BadInput); }

/// A rulebook read from git may be no larger than one read from disk.
constexpr std::size_t kMaxRulebookBytes = std::size_t{4} << 20;

std::string default_scenario_dir() {
  std::error_code ec;
  if (std::filesystem::is_directory("scenarios", ec)) return "scenarios";
  return std::string(restorelab::source_dir()) + "/scenarios";
}

/// The matrix to analyse: --matrix FILE, or the built-in one.
std::optional<Matrix> analysis_matrix(const std::string& file, const Rulebook& book, Streams& io) {
  auto m = file.empty() ? builtin_matrix(book.compiler) : load_matrix_file(DiskReader{}, file, book.compiler);
  if (!m) {
    io.err << format_diagnostics(m.error());
    return std::nullopt;
  }
  if (auto too_much = check_matrix_work(*m, {.strength = 0, .strength_offered = false})) {
    io.err << too_much->to_string() << '\n';
    return std::nullopt;
  }
  return std::move(*m);
}

int lint(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Check a rulebook: syntax and fields, rules that can never fire, rules shadowed by an earlier\n"
               "rule with the same effect, conflicting outcomes without a precedence between them, missing\n"
               "citations. Exit: 0 clean, 1 findings, 2 the rulebook does not load.",
               "restorelab rules lint");
  std::string rules;
  app.add_option("--rules", rules, "rulebook to check (default: rules/kb249694.toml)");
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto book = load_rulebook_or_report(rules, io);
  if (!book) return bad_input();
  const auto findings = lint_rulebook(*book);
  for (const LintFinding& f : findings) io.out << f.where.to_string() << '\n';
  io.err << book->file << ": " << book->rules.size() << " rules, " << findings.size() << " finding"
         << (findings.size() == 1 ? "" : "s") << '\n';
  return findings.empty() ? 0 : static_cast<int>(ExitCode::Mismatch);
}

int test(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Run every scenario with an [expect] table under PATHs (default: scenarios/) and report,\n"
               "per failing file, the field that differs, predicted and expected values and the rules that\n"
               "fired. Exit: 0 all pass, 1 a failure, 2 a file, the rulebook or the --observed store (missing\n"
               "or damaged) does not load.",
               "restorelab rules test");
  std::string rules, junit, observed, run, known;
  bool json = false;
  std::vector<std::string> paths;
  app.add_option("--rules", rules, "rulebook to test (default: rules/kb249694.toml)");
  app.add_option("--observed", observed,
                 "instead of [expect] tables: judge every observation a run recorded in this results store");
  app.add_option("--run", run, "with --observed: the run (default: the newest)");
  app.add_option("--known", known, "with --observed: the known-deviations registry (default: the project's; none)");
  app.add_flag("--json", json, "one JSON object per scenario");
  app.add_option("--junit", junit, "also write JUnit XML to this file");
  std::string shard_text;
  add_shard_option(app, shard_text);
  app.add_option("paths", paths, "scenario files or folders (default: scenarios/)");
  if (auto exit = parse_args(app, args, io)) return *exit;
  if (!observed.empty()) {
    if (!paths.empty() || !junit.empty() || !shard_text.empty()) {
      io.err << "restorelab rules test: --observed judges a store's observations; it takes no paths, --junit or "
                "--shard\n";
      return bad_input();
    }
    return test_observed({observed, rules, run, known, json}, io);
  }
  if (!run.empty() || !known.empty()) {
    io.err << "restorelab rules test: --run and --known go with --observed\n";
    return bad_input();
  }
  const auto shard = parse_shard(shard_text, io);
  if (!shard) return bad_input();
  if (paths.empty()) paths.push_back(default_scenario_dir());
  // What does not load is an error a CI reads in the JUnit file too, not
  // only on stderr: a missing report would look like no tests at all.
  std::ostringstream load_errors;
  Streams capture{io.out, load_errors, false};
  auto book = load_rulebook_or_report(rules, capture);
  std::optional<std::vector<Scenario>> scenarios;
  if (book) scenarios = load_scenarios_or_report(paths, capture, "nothing was tested");
  io.err << load_errors.str();
  if (!scenarios) {
    if (!junit.empty()) {
      const std::string text = load_errors.str();
      JunitCase c{"restorelab.rules.test", book ? "scenario files" : "rulebook", "", 0, "", "", "", "bad-input",
                  text.substr(0, text.find('\n')), text, ""};
      if (auto written = write_output_file(junit, junit_xml(JunitSuite{"restorelab rules test", 0, {}, {c}})); !written)
        io.err << "restorelab rules test: " << written.error().message << '\n';
    }
    return bad_input();
  }
  keep_shard(*scenarios, *shard);
  // Before anything is printed: the report may not replace a scenario or the rulebook.
  if (auto refused = refuse_unusable_outputs({{"--junit", junit}}, "restorelab rules test", io)) return *refused;

  const auto start = std::chrono::steady_clock::now();
  Engine engine(*book);
  std::vector<RuleTestCase> cases;
  std::size_t without_expect = 0;
  for (const Scenario& s : *scenarios) {
    if (!s.expect) {
      ++without_expect;
      continue;
    }
    cases.push_back(check_expectation(s, engine.predict(s), *book));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (json) io.out << rule_tests_json(cases);
  else io.out << rule_tests_text(cases, without_expect);
  if (!junit.empty()) {
    if (auto written = write_output_file(junit, junit_xml(rule_tests_junit(cases, book->file, seconds))); !written) {
      io.err << "restorelab rules test: " << written.error().message << '\n';
      return written.error().exit_code();
    }
  }
  const bool failed = std::any_of(cases.begin(), cases.end(), [](const RuleTestCase& c) { return !c.passed(); });
  return failed ? static_cast<int>(ExitCode::Mismatch) : 0;
}

/// A rulebook from a file, or from git when `spec` is REV:PATH.
std::optional<Rulebook> load_rulebook_spec(const std::string& spec, Streams& io) {
  std::error_code ec;
  const auto colon = spec.find(':');
  if (std::filesystem::exists(spec, ec) || colon == std::string::npos) return load_rulebook_or_report(spec, io);
  if (spec.starts_with('-')) {
    io.err << "restorelab rules diff: --base \"" << printable(spec)
           << "\": expected a file or REV:PATH; a revision cannot start with '-'\n";
    return std::nullopt;
  }
  // `git show REV:PATH` in the source tree, as an argument vector: the spec
  // is one argument after --end-of-options, never a shell word or an option.
  auto shown = machines::run_process({"git", "-C", restorelab::source_dir(), "--no-pager", "show", "--no-textconv",
                                 "--end-of-options", spec, "--"},
                                {.timeout = std::chrono::seconds(30), .separate_stderr = true,
                                 .max_output = kMaxRulebookBytes});
  if (!shown) {
    io.err << printable(spec) << ": error: cannot run git: " << shown.error().message << "\n";
    return std::nullopt;
  }
  if (shown->exit_code != 0) {
    io.err << printable(spec) << ": error: not a file, and git cannot show it: " << printable(shown->errors) << "\n";
    return std::nullopt;
  }
  auto book = load_rulebook_text(shown->output, spec);
  if (!book) {
    io.err << format_diagnostics(book.error());
    return std::nullopt;
  }
  return std::move(*book);
}

void write_diff_text(const RuleDiff& d, const Matrix& m, double seconds, Streams& io) {
  auto list = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out.empty() ? std::string("none") : out;
  };
  io.out << "rules added: " << list(d.added) << "\nrules removed: " << list(d.removed)
         << "\nrules changed: " << list(d.modified) << "\n\n";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  io.out << "matrix " << m.name << ": " << d.scenarios << " scenarios predicted with both rulebooks in " << secs
         << " s; " << d.changed << " changed\n";
  io.out << "  support " << d.support << ", outcome " << d.outcome << ", cpus_used " << d.cpus_used << ", actions "
         << d.actions << "\n";
  for (const ChangeGroup& g : d.groups) {
    io.out << "\n" << g.count << " x " << g.field << ": "
           << (g.field == "actions" ? g.to : g.from + " -> " + g.to) << "\n";
    std::string causes;
    for (const auto& [id, n] : g.rules) causes += (causes.empty() ? "" : ", ") + id + " (" + std::to_string(n) + ")";
    io.out << "  rules: " << (causes.empty() ? std::string("none") : causes) << "\n";
    for (const auto& e : g.examples) io.out << "  e.g. " << e << "\n";
  }
}

void write_diff_json(const RuleDiff& d, const Matrix& m, Streams& io) {
  std::string out;
  JsonWriter json(out);
  json.begin_object().key("matrix").value(m.name);
  json.key("scenarios").value(static_cast<std::int64_t>(d.scenarios));
  json.key("changed").value(static_cast<std::int64_t>(d.changed));
  json.key("by_field").begin_object();
  json.key("supported").value(static_cast<std::int64_t>(d.support)).key("outcome").value(static_cast<std::int64_t>(d.outcome));
  json.key("cpus_used").value(static_cast<std::int64_t>(d.cpus_used)).key("actions").value(static_cast<std::int64_t>(d.actions));
  json.end_object();
  json.key("rules_added").strings(d.added).key("rules_removed").strings(d.removed).key("rules_changed").strings(d.modified);
  json.key("groups").begin_array();
  for (const ChangeGroup& g : d.groups) {
    json.begin_object().key("field").value(g.field).key("from").value(g.from).key("to").value(g.to);
    json.key("count").value(static_cast<std::int64_t>(g.count)).key("examples").strings(g.examples);
    json.key("rules").begin_object();
    for (const auto& [id, n] : g.rules) json.key(id).value(static_cast<std::int64_t>(n));
    json.end_object().end_object();
  }
  json.end_array().end_object();
  io.out << out << '\n';
}

int diff(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Predict a matrix (default: the built-in full matrix) with two rulebooks and report what changed:\n"
               "how many scenarios changed support, outcome, cpus_used or actions, grouped by the kind of\n"
               "change, with example scenario ids and the rules that caused it.\n"
               "Exit: 0 nothing changed, 1 something changed, 2 bad input.",
               "restorelab rules diff");
  std::string base, rules, matrix;
  bool json = false;
  app.add_option("--base", base, "the old rulebook: a file, or a git revision like HEAD~1:rules/kb249694.toml")->required();
  app.add_option("--rules", rules, "the new rulebook (default: rules/kb249694.toml)");
  app.add_option("--matrix", matrix, "matrix to predict (default: the built-in full matrix)");
  app.add_flag("--json", json, "one JSON object instead of text");
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto old_book = load_rulebook_spec(base, io);
  if (!old_book) return bad_input();
  auto new_book = load_rulebook_or_report(rules, io);
  if (!new_book) return bad_input();
  auto m = analysis_matrix(matrix, *new_book, io);
  if (!m) return bad_input();
  const auto start = std::chrono::steady_clock::now();
  const RuleDiff d = diff_rulebooks(*m, *old_book, *new_book);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (json) write_diff_json(d, *m, io);
  else write_diff_text(d, *m, seconds, io);
  return d.changed ? static_cast<int>(ExitCode::Mismatch) : 0;
}

int coverage(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("For each rule, how many scenarios of a matrix (default: the built-in full matrix) it fires\n"
               "on; rules that fire on none come first. Exit: 0, or 2 for bad input.",
               "restorelab rules coverage");
  std::string rules, matrix;
  bool json = false;
  app.add_option("--rules", rules, "rulebook (default: rules/kb249694.toml)");
  app.add_option("--matrix", matrix, "matrix to predict (default: the built-in full matrix)");
  app.add_flag("--json", json, "one JSON object per rule");
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto book = load_rulebook_or_report(rules, io);
  if (!book) return bad_input();
  auto m = analysis_matrix(matrix, *book, io);
  if (!m) return bad_input();
  const RuleCoverage cov = rule_coverage(*m, *book);
  std::vector<std::size_t> order(book->rules.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return (cov.fires[a] == 0) > (cov.fires[b] == 0);  // never-firing rules first, else rulebook order
  });
  std::size_t never = 0;
  for (std::size_t i : order) {
    const std::uint64_t n = cov.fires[i];
    never += n == 0;
    if (json) {
      std::string out;
      JsonWriter(out).begin_object().key("rule").value(book->rules[i].id).key("fires").value(static_cast<std::int64_t>(n))
          .key("scenarios").value(static_cast<std::int64_t>(cov.scenarios)).end_object();
      io.out << out << '\n';
      continue;
    }
    char line[160];
    std::snprintf(line, sizeof line, "%10llu  %6.2f%%  %s%s\n", static_cast<unsigned long long>(n),
                  cov.scenarios ? 100.0 * static_cast<double>(n) / static_cast<double>(cov.scenarios) : 0.0,
                  book->rules[i].id.c_str(), n == 0 ? "  (never fires)" : "");
    io.out << line;
  }
  io.err << "matrix " << m->name << ": " << cov.scenarios << " scenarios; " << never << " of " << book->rules.size()
         << " rules never fire\n";
  return 0;
}

}  // namespace

int rules_command(const std::vector<std::string>& args, Streams& io) {
  static constexpr Command kSub[] = {
      {"lint", "check a rulebook for errors, dead, shadowed and conflicting rules", lint},
      {"test", "run the scenarios' [expect] tables against a rulebook (text, --json, --junit)", test},
      {"diff", "what a rulebook change does to the predictions of a matrix", diff},
      {"coverage", "how many scenarios of a matrix each rule fires on", coverage},
  };
  return dispatch({"restorelab rules", "", kSub, ""}, args, io);
}

}  // namespace restorelab
