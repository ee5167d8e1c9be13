#include "harness/cli/command_support.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>

#include "harness/cli/exit_code.h"
#include "harness/output/output_file.h"
#include "rules/printable.h"

namespace restorelab {

std::string printable(std::string_view text) { return escape_control_characters(text); }

std::optional<int> refuse_unusable_outputs(std::initializer_list<std::pair<const char*, std::string>> outputs,
                                           std::string_view command, Streams& io) {
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    if (auto usable = check_output_path(path); !usable) {
      io.err << command << ": " << option << " " << printable(usable.error().message) << "\n";
      return usable.error().exit_code();
    }
  }
  return std::nullopt;
}

const CLI::Validator& non_empty_folder() {
  static const CLI::Validator check(
      [](const std::string& value) { return value.empty() ? std::string("expected a folder, not an empty value") : std::string(); },
      "FOLDER");
  return check;
}

std::optional<int> parse_args(CLI::App& app, const std::vector<std::string>& args, Streams& io) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    io.out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    io.err << app.get_name() << ": " << e.what() << "\nrun `" << app.get_name() << " --help` for usage\n";
    return static_cast<int>(ExitCode::BadInput);
  }
  return std::nullopt;
}

std::optional<Rulebook> load_rulebook_or_report(const std::string& path, Streams& io) {
  const std::string file = path.empty() ? default_rulebook_path() : path;
  auto book = load_rulebook_file(DiskReader{}, file);
  if (!book) {
    io.err << format_diagnostics(book.error());
    if (path.empty()) io.err << "(set RESTORELAB_RULES or pass --rules FILE to use another rulebook)\n";
    return std::nullopt;
  }
  return std::move(*book);
}

ScenarioSearch expand_scenario_paths(const std::vector<std::string>& paths) {
  return find_scenario_files(paths, DiskReader{});
}

std::optional<std::vector<Scenario>> load_scenarios_or_report(const ScenarioSearch& found, Streams& io,
                                                              std::string_view consequence) {
  for (const std::string& line : found.skipped) io.err << line << '\n';
  io.err << format_diagnostics(found.errors);
  DiskReader reader;
  ScenarioLoader loader(reader);
  std::vector<Scenario> scenarios;
  std::map<std::string, std::string> names;
  bool failed = !found.errors.empty();
  for (const ScenarioFile& file : found.files) {
    auto s = loader.load_table(file.table, file.path, "");
    if (!s) {
      io.err << format_diagnostics(s.error());
      failed = true;
      continue;
    }
    if (auto [it, inserted] = names.emplace(s->name, file.path); !inserted) {
      // At the name in the second file.
      const std::string message = "scenario.name: \"" + s->name + "\" is already the name of " + it->second +
                                  "; names must be unique in a run";
      const toml::node* node = file.table["scenario"]["name"].node();
      const Diagnostic d = node ? diagnostic_at(node->source(), file.path, message, "rename one of them")
                                : Diagnostic{file.path, 0, 0, message, "rename one of them"};
      io.err << d.to_string() << '\n';
      failed = true;
      continue;
    }
    scenarios.push_back(std::move(*s));
  }
  if (failed) {
    io.err << (consequence.empty() ? "" : std::string(consequence) + ": ") << "fix the errors above\n";
    return std::nullopt;
  }
  return scenarios;
}

std::optional<std::vector<Scenario>> load_scenarios_or_report(const std::vector<std::string>& paths, Streams& io,
                                                              std::string_view consequence) {
  return load_scenarios_or_report(expand_scenario_paths(paths), io, consequence);
}

void add_shard_option(CLI::App& app, std::string& shard) {
  app.add_option("--shard", shard,
                 "K/N: only the K-th of N shares of the scenarios (CI jobs in parallel); auto: from the job\n"
                 "engine (Kubernetes Indexed Job: JOB_COMPLETION_INDEX + RESTORELAB_SHARD_COUNT; GitLab: CI_NODE_INDEX/TOTAL)");
}

namespace {

/// The most shares a run can be split into.
constexpr long long kMaxShards = 100000;

/// `text` as a decimal number: digits only (no sign, space or base prefix);
/// one too large for a long long reads as LLONG_MAX, out of every range.
/// Nothing when it is not digits.
std::optional<long long> decimal(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return LLONG_MAX;
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// The job engine's variable `name` as a number from `low` to `high`, or
/// the message naming the variable, its value and the valid range (`why`
/// says where the range comes from, e.g. "(CI_NODE_TOTAL is 3)").
std::expected<int, std::string> variable(const char* (*getenv)(const char*), const char* name, long long low,
                                         long long high, const std::string& why = {}) {
  const char* v = getenv(name);
  const std::string value = v ? v : "";
  const std::string range = "; expected " + std::to_string(low) + " to " + std::to_string(high) + why;
  const auto number = decimal(value);
  if (!number)
    return std::unexpected("--shard auto: " + std::string(name) + "=\"" + printable(value) + "\" is not a number" + range);
  if (*number < low || *number > high)
    return std::unexpected("--shard auto: " + std::string(name) + "=\"" + value + "\" is out of range" + range);
  return static_cast<int>(*number);
}

}  // namespace

std::expected<Shard, std::string> shard_from_environment(const char* (*getenv)(const char*)) {
  Shard shard;
  if (getenv("JOB_COMPLETION_INDEX")) {
    if (!getenv("RESTORELAB_SHARD_COUNT"))
      return std::unexpected("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but RESTORELAB_SHARD_COUNT is "
                             "not; set it to the Job's completions");
    auto count = variable(getenv, "RESTORELAB_SHARD_COUNT", 1, kMaxShards);
    if (!count) return std::unexpected(count.error());
    auto index = variable(getenv, "JOB_COMPLETION_INDEX", 0, *count - 1,
                          " (RESTORELAB_SHARD_COUNT is " + std::to_string(*count) + ")");
    if (!index) return std::unexpected(index.error());
    shard.index = *index + 1;
    shard.count = *count;
  } else if (getenv("CI_NODE_INDEX") || getenv("CI_NODE_TOTAL")) {
    auto count = variable(getenv, "CI_NODE_TOTAL", 1, kMaxShards);
    if (!count) return std::unexpected(count.error());
    auto index = variable(getenv, "CI_NODE_INDEX", 1, *count, " (CI_NODE_TOTAL is " + std::to_string(*count) + ")");
    if (!index) return std::unexpected(index.error());
    shard.index = *index;
    shard.count = *count;
  } else {
    return std::unexpected("--shard auto: no job engine's variables are set (JOB_COMPLETION_INDEX with "
                           "RESTORELAB_SHARD_COUNT, or CI_NODE_INDEX with CI_NODE_TOTAL)");
  }
  return shard;
}

std::optional<Shard> parse_shard(const std::string& text, Streams& io) {
  Shard shard;
  if (text.empty()) return shard;
  if (text == "auto") {
    auto from_env = shard_from_environment([](const char* name) -> const char* { return std::getenv(name); });
    if (!from_env) {
      io.err << "restorelab: " << from_env.error() << "\n";
      return std::nullopt;
    }
    return *from_env;
  }
  const auto slash = text.find('/');
  // value_or(0): both are then plain numbers (GCC 12 at -O2 takes the
  // second optional for possibly uninitialized), and 0 is out of range.
  const long long index = decimal(std::string_view(text).substr(0, slash)).value_or(0);
  const long long count = slash == std::string::npos ? 0 : decimal(std::string_view(text).substr(slash + 1)).value_or(0);
  if (count < 1 || count > INT_MAX || index < 1 || index > count) {
    io.err << "restorelab: --shard \"" << printable(text) << "\": expected K/N with 1 <= K <= N, for example 2/4\n";
    return std::nullopt;
  }
  shard.index = static_cast<int>(index);
  shard.count = static_cast<int>(count);
  return shard;
}

void keep_shard(std::vector<Scenario>& scenarios, const Shard& shard) {
  std::vector<Scenario> kept;
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    if (shard.takes(i)) kept.push_back(std::move(scenarios[i]));
  scenarios = std::move(kept);
}

}  // namespace restorelab
