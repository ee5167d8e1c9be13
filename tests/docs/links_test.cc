// What the documents point at exists: every relative link (and the heading
// its #anchor names), and every path of the repository they name in
// backticks. A clone has nothing outside the repository, so neither may a
// document refer to anything there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "tests/docs/docs_test_util.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

/// Every Markdown file of the repository (build folders and .git aside).
std::vector<fs::path> markdown_files() {
  std::vector<fs::path> out;
  const fs::path root = restorelab::source_dir();
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name.starts_with("build") || name == ".git" || name == "corpus")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() == ".md") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The prose of a Markdown file: fenced blocks blanked (they hold commands
/// and output, checked elsewhere), line count kept.
std::string prose(const std::string& markdown) {
  std::string out;
  std::istringstream in(markdown);
  bool fenced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) fenced = !fenced;
    out += (fenced || line.starts_with("```") ? "" : line) + "\n";
  }
  return out;
}

/// GitHub's anchor of a heading: lower case, spaces to '-', punctuation
/// other than '-' and '_' dropped.
std::string slug(const std::string& heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_') out += static_cast<char>(std::tolower(c));
    else if (c == ' ') out += '-';
  }
  return out;
}

std::set<std::string> anchors_of(const fs::path& markdown) {
  std::set<std::string> out;
  std::istringstream in(prose(testing::read_text(markdown)));
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("#")) out.insert(slug(line.substr(line.find_first_not_of("# "))));
  return out;
}

std::string in_repo(const fs::path& p) { return fs::relative(p, restorelab::source_dir()).string(); }

/// The targets of the Markdown links `[text](target)` of `text`.
std::vector<std::string> link_targets(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = text.find("]("); at != std::string::npos; at = text.find("](", at + 1)) {
    const std::size_t end = text.find(')', at + 2);
    if (end == std::string::npos) break;
    const std::string target = text.substr(at + 2, end - at - 2);
    if (!target.empty() && target.find_first_of(" \t\n") == std::string::npos) out.push_back(target);
  }
  return out;
}

/// The backtick spans of `text` that are paths: letters, digits, . _ - and
/// at least one '/', maybe followed by an anchor or a line
/// (`images/README.md#limits`, `file.cc:12`). Each as {span, path}.
std::vector<std::pair<std::string, std::string>> path_spans(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  auto path_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-'; };
  for (std::size_t open = text.find('`'); open != std::string::npos;) {
    const std::size_t close = text.find('`', open + 1);
    if (close == std::string::npos) break;
    const std::string span = text.substr(open + 1, close - open - 1);
    std::size_t end = 0;
    while (end < span.size() && path_char(span[end])) ++end;
    const std::string path = span.substr(0, end);
    if (!path.empty() && path[0] != '/' && path[0] != '-' && path.find('/') != std::string::npos &&
        (end == span.size() || span[end] == '#' || span[end] == ':'))
      out.emplace_back(span, path);
    open = text.find('`', close + 1);
  }
  return out;
}

TEST(DocsLinksTest, EveryRelativeLinkAndItsAnchorExist) {
  for (const fs::path& md : markdown_files()) {
    const std::string text = prose(testing::read_text(md));
    for (std::string target : link_targets(text)) {
      if (target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:")) continue;
      std::string anchor;
      if (auto hash = target.find('#'); hash != std::string::npos) {
        anchor = target.substr(hash + 1);
        target.resize(hash);
      }
      const fs::path file = target.empty() ? md : md.parent_path() / target;
      EXPECT_TRUE(fs::exists(file)) << in_repo(md) << ": link to " << target << ", which does not exist";
      if (!anchor.empty() && fs::exists(file) && file.extension() == ".md") {
        EXPECT_TRUE(anchors_of(file).contains(anchor))
            << in_repo(md) << ": link to " << in_repo(file) << "#" << anchor << ", a heading it does not have";
      }
    }
  }
}

TEST(DocsLinksTest, EveryRepositoryPathNamedInBackticksExists) {
  const fs::path root = restorelab::source_dir();
  // Top-level folders that .gitignore names ("/runs/", "/build*/") are made
  // by builds and runs (the README's first command writes runs/): a path in
  // one is never a repository path, whether or not the folder exists here.
  std::vector<std::string> made;
  std::istringstream ignored(testing::read_text(root / ".gitignore"));
  for (std::string line; std::getline(ignored, line);)
    if (line.size() > 2 && line.front() == '/' && line.back() == '/') made.push_back(line.substr(1, line.size() - 2));
  auto is_made = [&](const std::string& name) {
    return std::ranges::any_of(made, [&](const std::string& pattern) {
      return pattern.ends_with('*') ? name.starts_with(pattern.substr(0, pattern.size() - 1)) : name == pattern;
    });
  };
  std::set<std::string> top;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (!is_made(name)) top.insert(name);
  }
  for (const fs::path& md : markdown_files()) {
    const std::string text = prose(testing::read_text(md));
    for (auto [span, path] : path_spans(text)) {
      const std::string first = path.substr(0, path.find('/'));
      if (is_made(first)) continue;
      const bool from_root = top.contains(first);
      const bool from_here = fs::exists(md.parent_path() / first);
      if (!from_root && !from_here) continue;  // runs/…, /var/tmp/…: made at run time, not in the repository
      while (path.ends_with("/")) path.pop_back();
      EXPECT_TRUE((from_root && fs::exists(root / path)) || (from_here && fs::exists(md.parent_path() / path)))
          << in_repo(md) << ": names `" << span << "`, which is not in the repository";
    }
  }
}

/// How many folders `md` lies below the repository's root.
std::size_t depth_of(const fs::path& md) {
  std::size_t depth = 0;
  for (const auto& part : fs::relative(md.parent_path(), restorelab::source_dir()))
    if (part != ".") ++depth;
  return depth;
}

/// The first relative path of `text` that climbs out of the repository from
/// a document `depth` folders below its root (`../x` at the root), or "".
std::string first_climb_out(const std::string& text, std::size_t depth) {
  for (std::size_t at = text.find("../"); at != std::string::npos; at = text.find("../", at + 1)) {
    // Only a path that starts here: `a/../b` and the second `../` of a run stay inside.
    if (at > 0 && !std::isspace(static_cast<unsigned char>(text[at - 1])) &&
        std::string_view("(`'\"[<").find(text[at - 1]) == std::string_view::npos)
      continue;
    std::size_t ups = 0, end = at;
    while (text.compare(end, 3, "../") == 0) ++ups, end += 3;
    if (ups > depth) return text.substr(at, text.find_first_of(" \t\n)`'\"", end) - at);
  }
  return "";
}

/// Where `text` holds `prefix` as the start of a path (not inside a longer
/// one: "/var/tmp/" does not start "/tmp/"), or npos.
std::size_t path_starting_with(const std::string& text, const std::string& prefix) {
  for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    const char before = at == 0 ? ' ' : text[at - 1];
    if (std::isalnum(static_cast<unsigned char>(before)) == 0 && std::string_view("._-~/").find(before) == std::string_view::npos)
      return at;
  }
  return std::string::npos;
}

TEST(DocsLinksTest, NoDocumentRefersToAnythingOutsideTheRepository) {
  // A clone has nothing beside it: no path may climb out of the repository
  // or start at the folder that holds this checkout. (Whether a name in a
  // link or in backticks happens to exist beside the checkout is not asked:
  // in a clone under /tmp, "m/a.b.c" matched another program's folder.)
  const fs::path root = restorelab::source_dir();
  const fs::path beside = root.parent_path();
  const std::string beside_prefix = beside.string() + "/";
  for (const fs::path& md : markdown_files()) {
    const std::string text = testing::read_text(md);
    const std::string climb = first_climb_out(text, depth_of(md));
    EXPECT_EQ(climb, "") << in_repo(md) << " refers to " << climb << ", outside the repository";
    if (beside != beside.root_path()) {
      EXPECT_EQ(path_starting_with(text, beside_prefix), std::string::npos) << in_repo(md) << " refers to " << beside_prefix;
    }
  }
}

TEST(DocsLinksTest, APathThatClimbsOutOfTheRepositoryIsFound) {
  EXPECT_EQ(first_climb_out("see ../spec/format.md for more", 0), "../spec/format.md");
  EXPECT_EQ(first_climb_out("see ../spec/format.md for more", 1), "");
  EXPECT_EQ(first_climb_out("[x](../../spec/a.md)", 1), "../../spec/a.md");
  EXPECT_EQ(first_climb_out("images/../rules/keys.h", 0), "");
}

// The anchors GitHub makes, which the links above rely on.
TEST(DocsLinksTest, AnchorsAreGithubs) {
  EXPECT_EQ(slug("Outcomes: physical or emulated"), "outcomes-physical-or-emulated");
  EXPECT_EQ(slug("Chains: `restore.after`"), "chains-restoreafter");
  EXPECT_EQ(slug("`predict --json`"), "predict---json");
}

}  // namespace
}  // namespace restorelab
