#include "rules/scenario_search.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace restorelab {
namespace {

namespace fs = std::filesystem;

class ScenarioSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/restorelab-search-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::vector<std::string> paths(const ScenarioSearch& s) const {
    std::vector<std::string> out;
    for (const ScenarioFile& f : s.files) out.push_back(f.path.substr(dir_.size() + 1));
    return out;
  }
  std::string dir_;
};

// However a file writes its [scenario] table, parsing finds it.
TEST_F(ScenarioSearchTest, FindsEveryWayOfWritingAScenarioTable) {
  write("a-spaced.toml", "[ scenario ]\nname = \"a\"\n");
  write("b-bom.toml", "\xef\xbb\xbf[scenario]\nname = \"b\"\n");
  write("c-dotted.toml", "scenario.name = \"c\"\n");
  write("d-inline.toml", "scenario = { name = \"d\" }\n");
  write("e-comment.toml", "# a scenario\n  [scenario]  # indented\nname = \"e\"\n");
  write("f-no-header.toml", "[source]\nhal = \"acpi-pc\"\n");  // a scenario missing [scenario]: the loader says so
  write("sub/g.toml", "[scenario]\nname = \"g\"\n");
  const ScenarioSearch found = find_scenario_files({dir_}, DiskReader{});
  EXPECT_EQ(paths(found), (std::vector<std::string>{"a-spaced.toml", "b-bom.toml", "c-dotted.toml", "d-inline.toml",
                                                    "e-comment.toml", "f-no-header.toml", "sub/g.toml"}));
  EXPECT_EQ(found.skipped, std::vector<std::string>{});
  EXPECT_EQ(format_diagnostics(found.errors), "");
  EXPECT_EQ(found.files[0].table["scenario"]["name"].value<std::string>(), "a");  // parsed once, handed on
}

TEST_F(ScenarioSearchTest, DoesNotFollowASymlinkOutOfTheFolder) {
  char pattern[] = "/tmp/restorelab-search-outside-XXXXXX";
  const std::string outside = mkdtemp(pattern);
  std::ofstream(outside + "/secret.toml") << "[scenario]\nname = \"secret\"\n";
  write("s.toml", "[scenario]\nname = \"s\"\n");
  fs::create_symlink(outside + "/secret.toml", dir_ + "/link.toml");
  fs::create_symlink("s.toml", dir_ + "/inside.toml");  // a link within the folder is fine
  const ScenarioSearch found = find_scenario_files({dir_}, DiskReader{});
  fs::remove_all(outside);
  EXPECT_EQ(paths(found), (std::vector<std::string>{"inside.toml", "s.toml"}));
  EXPECT_EQ(found.skipped, std::vector<std::string>{dir_ + "/link.toml: skipped: a symlink to a file outside " + dir_});
}

TEST_F(ScenarioSearchTest, NamesWhatItSkipsAndWhy) {
  write("s.toml", "[scenario]\nname = \"s\"\n");
  const std::string machine = write("machines/m.toml", "hal = \"acpi-pc\"\n[os]\nversion = \"windows-xp\"\n");
  const std::string matrix = write("matrices/x.toml", "[matrix]\nname = \"x\"\n[axes]\n");
  const std::string book = write("rules.toml", "[[rule]]\nid = \"r\"\n");
  const std::string other = write("notes.toml", "title = \"not a scenario\"\n");
  write("readme.md", "not toml at all [");
  const ScenarioSearch found = find_scenario_files({dir_}, DiskReader{});
  EXPECT_EQ(paths(found), std::vector<std::string>{"s.toml"});
  EXPECT_EQ(found.skipped, (std::vector<std::string>{
                               machine + ": skipped: no [scenario] table (a machine file)",
                               matrix + ": skipped: no [scenario] table (a matrix file)",
                               other + ": skipped: no [scenario] table (not a scenario)",
                               book + ": skipped: no [scenario] table (a rulebook)",
                           }));
  EXPECT_EQ(format_diagnostics(found.errors), "");
}

TEST_F(ScenarioSearchTest, AFileThatDoesNotParseOrReadIsAnError) {
  write("ok.toml", "[scenario]\nname = \"ok\"\n");
  const std::string broken = write("broken.toml", "[scenario\nname = \"x\"\n");
  const std::string fifo = dir_ + "/fifo.toml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string newline = write("new\nline.toml", "[scenario]\nname = \"nl\"\n");
  const ScenarioSearch found = find_scenario_files({dir_}, DiskReader{});
  EXPECT_EQ(paths(found), std::vector<std::string>{"ok.toml"});
  EXPECT_EQ(format_diagnostics(found.errors),
            broken + ":1:10: error: invalid TOML: Error while parsing table header: expected ']', saw '\\n'\n" +  //
                fifo + ": error: cannot read: it is a FIFO, not a regular file\n" +
                dir_ + "/new\\nline.toml: error: control character U+000A in a file name; expected printable text; "
                       "rename the file\n");
  (void)newline;
}

TEST_F(ScenarioSearchTest, TakesNamedFilesAsTheyAreAndStandardInput) {
  const std::string machine = write("m.toml", "hal = \"acpi-pc\"\n");
  MapReader reader({{"-", "[scenario]\nname = \"in\"\n"}, {machine, "hal = \"acpi-pc\"\n"}});
  const ScenarioSearch found = find_scenario_files({"-", machine}, reader);
  ASSERT_EQ(found.files.size(), 2u);  // a named file is the loader's to judge
  EXPECT_EQ(found.files[0].path, "<stdin>");
  EXPECT_EQ(found.files[1].path, machine);
  const std::string empty = dir_ + "/empty";
  fs::create_directories(empty);
  EXPECT_EQ(format_diagnostics(find_scenario_files({empty}, reader).errors),
            empty + ": error: no scenario files (*.toml with a [scenario] table) in this folder\n");
}

}  // namespace
}  // namespace restorelab
