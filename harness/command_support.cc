#include "harness/command_support.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>

namespace restorelab {

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
  app.add_option("--shard", shard, "K/N: only the K-th of N shares of the scenarios (CI jobs in parallel)");
}

std::optional<Shard> parse_shard(const std::string& text, Streams& io) {
  Shard shard;
  if (text.empty()) return shard;
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    shard.index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    shard.count = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    shard.count = 0;
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    io.err << "restorelab: --shard \"" << text << "\": expected K/N with 1 <= K <= N, for example 2/4\n";
    return std::nullopt;
  }
  return shard;
}

void keep_shard(std::vector<Scenario>& scenarios, const Shard& shard) {
  std::vector<Scenario> kept;
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    if (shard.takes(i)) kept.push_back(std::move(scenarios[i]));
  scenarios = std::move(kept);
}

}  // namespace restorelab
