#include "harness/cli/command_support.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>

namespace restorelab {

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) out += std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
    else out += c;
  }
  return out;
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

std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      out.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file() || it->path().extension() != ".toml") continue;
      auto text = DiskReader{}.read(it->path().string());
      // A scenario file has a [scenario] table; machine files and matrices do not.
      if (text && looks_like_scenario(*text))
        found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) found.push_back(path);  // reported by the loader: an empty folder is an error
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

namespace {

// Points at the `name` of the second file (read again: this is the error path).
Diagnostic duplicate_name(const std::string& file, const std::string& name, const std::string& first) {
  Diagnostic d{file, 0, 0, "scenario.name: \"" + name + "\" is already the name of " + first +
                              "; names must be unique in a run", "rename one of them"};
  if (auto text = DiskReader{}.read(file)) {
    if (auto table = parse_toml(*text, file)) {
      if (const toml::node* node = (*table)["scenario"]["name"].node()) {
        d.line = static_cast<int>(node->source().begin.line);
        d.column = static_cast<int>(node->source().begin.column);
      }
    }
  }
  return d;
}

}  // namespace

std::optional<std::vector<Scenario>> load_scenarios_or_report(const std::vector<std::string>& files,
                                                              Streams& io) {
  DiskReader reader;
  ScenarioLoader loader(reader);
  std::vector<Scenario> scenarios;
  std::map<std::string, std::string> names;
  bool failed = false;
  for (const std::string& file : files) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      io.err << file << ": error: no scenario files (*.toml with a [scenario] table) in this folder\n";
      failed = true;
      continue;
    }
    auto s = loader.load_file(file);
    if (!s) {
      io.err << format_diagnostics(s.error());
      failed = true;
      continue;
    }
    if (auto [it, inserted] = names.emplace(s->name, file); !inserted) {
      io.err << duplicate_name(file, s->name, it->second).to_string() << '\n';
      failed = true;
      continue;
    }
    scenarios.push_back(std::move(*s));
  }
  if (failed) {
    io.err << "nothing was predicted: fix the errors above\n";
    return std::nullopt;
  }
  return scenarios;
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
