// Every option a `--help` offers is explained somewhere in the documents:
// a flag that a command grows without a word in README.md, docs/ or a
// folder's README fails here, naming the command.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "harness/cli/cli.h"
#include "tests/docs/docs_test_util.h"

namespace restorelab {
namespace {

std::string help_of(const std::vector<std::string>& command) {
  std::vector<std::string> args = command;
  args.push_back("--help");
  std::ostringstream out, err;
  Streams io{out, err, false};
  EXPECT_EQ(run_cli(args, io), 0) << err.str();
  return out.str();
}

/// The subcommands a group's help lists (`commands:` then `  name  help`).
std::vector<std::string> subcommands(const std::string& help) {
  std::vector<std::string> names;
  const auto start = help.find("\ncommands:\n");
  if (start == std::string::npos) return names;
  std::istringstream in(help.substr(start + 11));
  for (std::string line; std::getline(in, line) && line.starts_with("  ");)
    names.push_back(line.substr(2, line.find(' ', 2) - 2));
  return names;
}

/// The options a CLI11 help lists: on lines that start (after the indent)
/// with '-', every `--long` and `-x` before the description.
std::set<std::string> flags(const std::string& help) {
  std::set<std::string> out;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] != '-') continue;
    std::string names = line.substr(first, line.find("  ", first) - first);
    std::replace(names.begin(), names.end(), ',', ' ');
    std::istringstream words(names);
    for (std::string w; words >> w;) {
      const std::size_t dashes = w.starts_with("--") ? 2 : w.starts_with("-") ? 1 : 0;
      if (dashes == 0 || w.size() <= dashes || !std::isalpha(static_cast<unsigned char>(w[dashes]))) continue;
      std::size_t end = dashes;
      while (end < w.size() && (std::isalnum(static_cast<unsigned char>(w[end])) || w[end] == '-')) ++end;
      out.insert(w.substr(0, end));
    }
  }
  out.erase("-h");
  out.erase("--help");
  return out;
}

/// Every command line that has options: "run", "matrix expand", ...
std::map<std::string, std::set<std::string>> all_flags() {
  std::map<std::string, std::set<std::string>> out;
  for (const Command& c : commands()) {
    const std::vector<std::string> command{std::string(c.name)};
    const std::string help = help_of(command);
    const std::vector<std::string> subs = subcommands(help);
    if (subs.empty()) out[std::string(c.name)] = flags(help);
    for (const std::string& sub : subs) out[std::string(c.name) + " " + sub] = flags(help_of({command[0], sub}));
  }
  return out;
}

TEST(DocsFlagsTest, EveryFlagOfEveryHelpIsInTheDocuments) {
  std::string documents;
  for (const std::string& d : testing::project_documents())
    documents += testing::read_text(restorelab::source_path("/" + d));
  const auto by_command = all_flags();
  ASSERT_GT(by_command.size(), 15u) << "every command and subcommand";
  ASSERT_TRUE(by_command.at("run").contains("--keep"));
  for (const auto& [command, names] : by_command) {
    for (const std::string& f : names) {
      EXPECT_TRUE(testing::has_word(documents, f))
          << "restorelab " << command << " --help offers " << f << ", which no document explains";
    }
  }
}

TEST(DocsFlagsTest, FlagsAreReadFromCli11Help) {
  const std::string help =
      "Options:\n  -h,--help                   Print this help message and exit\n"
      "  --jobs,-j INT:INT in [1 - 64]\n              scenarios in flight --not-this\n"
      "  --json                      one JSON object\n";
  EXPECT_EQ(flags(help), (std::set<std::string>{"--jobs", "-j", "--json"}));
  EXPECT_EQ(subcommands("usage: x\n\ncommands:\n  lint   check\n  test   run\n\nrun `x`\n"),
            (std::vector<std::string>{"lint", "test"}));
}

}  // namespace
}  // namespace restorelab
