// `restorelab rules lint|test|diff|coverage`: the rule author's tools.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "harness/command_support.h"
#include "harness/json_writer.h"
#include "harness/rule_tests.h"
#include "rules/lint.h"
#include "rules/matrix_limits.h"
#include "rules/rule_analysis.h"

namespace restorelab {

namespace {

int bad_input() { return static_cast<int>(ExitCode::BadInput); }

std::string default_scenario_dir() {
  std::error_code ec;
  if (std::filesystem::is_directory("scenarios", ec)) return "scenarios";
  return std::string(RESTORELAB_SOURCE_DIR) + "/scenarios";
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
               "fired. Exit: 0 all pass, 1 a failure, 2 a file or the rulebook does not load.",
               "restorelab rules test");
  std::string rules, junit;
  bool json = false;
  std::vector<std::string> paths;
  app.add_option("--rules", rules, "rulebook to test (default: rules/kb249694.toml)");
  app.add_flag("--json", json, "one JSON object per scenario");
  app.add_option("--junit", junit, "also write JUnit XML to this file");
  std::string shard_text;
  add_shard_option(app, shard_text);
  app.add_option("paths", paths, "scenario files or folders (default: scenarios/)");
  if (auto exit = parse_args(app, args, io)) return *exit;
  const auto shard = parse_shard(shard_text, io);
  if (!shard) return bad_input();
  if (paths.empty()) paths.push_back(default_scenario_dir());
  auto book = load_rulebook_or_report(rules, io);
  if (!book) return bad_input();
  auto scenarios = load_scenarios_or_report(paths, io, "nothing was tested");
  if (!scenarios) return bad_input();
  keep_shard(*scenarios, *shard);

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
    std::ofstream out(junit + ".tmp");
    out << rule_tests_junit(cases, book->file, seconds);
    if (!out.flush()) {
      io.err << junit << ": error: cannot write\n";
      return bad_input();
    }
    out.close();
    std::filesystem::rename(junit + ".tmp", junit);
  }
  const bool failed = std::any_of(cases.begin(), cases.end(), [](const RuleTestCase& c) { return !c.passed(); });
  return failed ? static_cast<int>(ExitCode::Mismatch) : 0;
}

/// A rulebook from a file, or from git when `spec` is REV:PATH.
std::optional<Rulebook> load_rulebook_spec(const std::string& spec, Streams& io) {
  std::error_code ec;
  const auto colon = spec.find(':');
  if (std::filesystem::exists(spec, ec) || colon == std::string::npos) return load_rulebook_or_report(spec, io);
  // `git show REV:PATH`, run where the path is meant: the source tree.
  const std::string command = "git -C '" + std::string(RESTORELAB_SOURCE_DIR) + "' show '" + spec + "' 2>&1";
  std::string text;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    io.err << spec << ": error: cannot run git\n";
    return std::nullopt;
  }
  char buffer[8192];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  if (pclose(pipe) != 0) {
    io.err << spec << ": error: not a file, and git cannot show it: " << text;
    return std::nullopt;
  }
  auto book = load_rulebook_text(text, spec);
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
  struct Sub {
    std::string_view name, help;
    int (*run)(const std::vector<std::string>&, Streams&);
  };
  static const Sub kSub[] = {
      {"lint", "check a rulebook for errors, dead, shadowed and conflicting rules", lint},
      {"test", "run the scenarios' [expect] tables against a rulebook (text, --json, --junit)", test},
      {"diff", "what a rulebook change does to the predictions of a matrix", diff},
      {"coverage", "how many scenarios of a matrix each rule fires on", coverage},
  };
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::ostream& os = args.empty() ? io.err : io.out;
    os << "usage: restorelab rules <command> [options]\n";
    for (const Sub& s : kSub) os << "  " << s.name << std::string(10 - s.name.size(), ' ') << s.help << '\n';
    return args.empty() ? bad_input() : 0;
  }
  std::vector<std::string_view> names;
  for (const Sub& s : kSub) {
    if (args[0] == s.name) return s.run({args.begin() + 1, args.end()}, io);
    names.push_back(s.name);
  }
  io.err << "restorelab rules: unknown command \"" << args[0] << "\"";
  if (auto hint = did_you_mean(args[0], names); !hint.empty()) io.err << "; " << hint;
  io.err << '\n';
  return bad_input();
}

}  // namespace restorelab
