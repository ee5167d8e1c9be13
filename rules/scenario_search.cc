#include "rules/scenario_search.h"

#include <algorithm>
#include <filesystem>

#include "rules/printable.h"
#include "rules/scenario_loader.h"

namespace restorelab {

namespace {

namespace fs = std::filesystem;

class Search {
 public:
  explicit Search(const FileReader& reader) : reader_(reader) {}

  void path(const std::string& path) {
    std::error_code ec;
    if (path != kStdinPath && fs::is_directory(path, ec)) return folder(path);
    if (auto parsed = read(path)) out_.files.push_back({input_name(path), std::move(*parsed)});
  }

  ScenarioSearch result() { return std::move(out_); }

 private:
  void folder(const std::string& dir) {
    std::vector<std::string> found;
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(dir, ec);
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      std::error_code entry_ec;
      if (it->path().extension() != ".toml" || it->is_directory(entry_ec)) continue;
      // A symlink in the folder must not lead the search outside it (a file
      // from a pull request pointing at /etc/shadow, read as root).
      const fs::path real = fs::weakly_canonical(it->path(), entry_ec);
      const auto [end, _] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
      if (entry_ec || end != root.end()) {
        out_.skipped.push_back(escape_control_characters(it->path().string()) +
                               ": skipped: a symlink to a file outside " + escape_control_characters(dir));
        continue;
      }
      found.push_back(it->path().string());
    }
    if (ec) out_.errors.push_back({dir, 0, 0, "cannot search this folder: " + ec.message(), ""});
    std::sort(found.begin(), found.end());
    const std::size_t files_before = out_.files.size(), errors_before = out_.errors.size();
    for (const std::string& file : found) {
      auto parsed = read(file);
      if (!parsed) continue;
      if (const FileKind kind = file_kind(*parsed); kind != FileKind::Scenario)
        out_.skipped.push_back(escape_control_characters(file) + ": skipped: no [scenario] table (" +
                               std::string(describe(kind)) + ")");
      else
        out_.files.push_back({file, std::move(*parsed)});
    }
    // An empty folder is an error; one whose files all failed has its errors.
    if (out_.files.size() == files_before && out_.errors.size() == errors_before)
      out_.errors.push_back({dir, 0, 0, "no scenario files (*.toml with a [scenario] table) in this folder", ""});
  }

  std::optional<toml::table> read(const std::string& path) {
    const std::string name = input_name(path);
    if (auto c = find_control_character(name)) {
      out_.errors.push_back(
          {name, 0, 0, "control character " + code_point_name(c->code) + " in a file name; expected printable text",
           "rename the file"});
      return std::nullopt;
    }
    auto text = reader_.read(path);
    if (!text) {
      out_.errors.push_back({name, 0, 0, text.error(), ""});
      return std::nullopt;
    }
    // A folder may hold rulebooks, matrices and registries beside scenarios;
    // their conditions may run over lines. No scenario key is among these
    // (the scenario loader refuses them as unknown keys).
    static constexpr std::string_view kConditions[] = {"rule.when", "helpers.*", "constraints.exclude",
                                                       "constraints.require", "deviation.when"};
    auto table = parse_toml(*text, name, kConditions);
    if (!table) {
      out_.errors.insert(out_.errors.end(), table.error().begin(), table.error().end());
      return std::nullopt;
    }
    return std::move(*table);
  }

  const FileReader& reader_;
  ScenarioSearch out_;
};

}  // namespace

ScenarioSearch find_scenario_files(const std::vector<std::string>& paths, const FileReader& reader) {
  Search search(reader);
  for (const std::string& p : paths) search.path(p);
  return search.result();
}

}  // namespace restorelab
