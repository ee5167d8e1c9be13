// The README's commands as a newcomer types them. Every shell block of
// README.md carries a marker: `doc-test` blocks run here, in a folder that
// looks like a plain clone (the source tree's folders linked in), with the
// output a document shows after a `<!-- output -->` block compared; a
// `boots-vms` block starts VMs, which unit tests never do; any other marker
// names a block a test of its own runs (`ci-loop`: tests/vm).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>

#include "harness/cli/cli.h"
#include "tests/docs/docs_test_util.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::DocCommand;
using testing::FencedBlock;

/// What a command of a doc-test block printed and returned.
struct Ran {
  int code = 0;
  std::string out, err;
};

/// A folder that looks like a clone: every top-level entry of the source
/// tree linked in, so commands find `scenarios/`, `rules/`, `tests/` where
/// the documents say, and what they write stays in the folder.
class Clone {
 public:
  Clone() {
    char pattern[] = "/tmp/restorelab-docs-XXXXXX";
    dir_ = mkdtemp(pattern);
    for (const auto& entry : fs::directory_iterator(restorelab::source_dir())) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("build") || name == ".git") continue;
      fs::create_symlink(entry.path(), dir_ / name);
    }
  }
  ~Clone() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Clone(const Clone&) = delete;
  Clone& operator=(const Clone&) = delete;
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

/// Runs `c` in-process in `dir`, with its redirections, as the shell would.
Ran run_in(const fs::path& dir, const DocCommand& c) {
  Ran r;
  const fs::path here = fs::current_path();
  fs::current_path(dir);
  int saved_stdin = -1;
  if (!c.stdin_file.empty()) {
    const int fd = ::open(c.stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0) << c.text << ": cannot open " << c.stdin_file;
    saved_stdin = ::dup(STDIN_FILENO);
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  std::ostringstream out, err;
  Streams io{out, err, false};
  r.code = run_cli({c.argv.begin() + 1, c.argv.end()}, io);
  if (saved_stdin >= 0) {
    ::dup2(saved_stdin, STDIN_FILENO);
    ::close(saved_stdin);
  }
  if (!c.stdout_file.empty()) {
    std::ofstream(c.stdout_file) << out.str();
  } else {
    r.out = out.str();
  }
  r.err = err.str();
  fs::current_path(here);
  return r;
}

/// The exit status a command's comment promises (`# exit 2`), else 0.
int promised_exit(const DocCommand& c) {
  for (std::size_t at = c.comment.find("exit "); at != std::string::npos; at = c.comment.find("exit ", at + 1)) {
    std::size_t end = at + 5;
    while (end < c.comment.size() && std::isdigit(static_cast<unsigned char>(c.comment[end]))) ++end;
    if ((at == 0 || !testing::word_char(c.comment[at - 1])) && end > at + 5 &&
        (end == c.comment.size() || !testing::word_char(c.comment[end])))
      return std::stoi(c.comment.substr(at + 5, end - at - 5));
  }
  return 0;
}

/// Each NAME of `text` written as PREFIX NAME SUFFIX, NAME of [a-z0-9-].
void names_between(const std::string& text, const std::string& prefix, const std::string& suffix,
                   std::set<std::string>& out) {
  for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    const std::size_t start = at + prefix.size();
    std::size_t end = start;
    while (end < text.size() && (std::islower(static_cast<unsigned char>(text[end])) ||
                                 std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '-'))
      ++end;
    if (end > start && text.compare(end, suffix.size(), suffix) == 0) out.insert(text.substr(start, end - start));
  }
}

/// The markers of blocks that a test of their own runs: every
/// `<!-- name -->` or `readme_block("name")` named in a test source.
std::set<std::string> markers_named_by_tests() {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(restorelab::source_path("/tests"))) {
    if (entry.path().extension() != ".cc" || entry.path().parent_path().filename() == "docs") continue;
    const std::string text = testing::read_text(entry.path());
    names_between(text, "<!-- ", " -->", names);
    names_between(text, "readme_block(\"", "\")", names);
    names_between(text, "readme_block_after(\"", "\")", names);
  }
  return names;
}

/// A command that starts VMs: `run`, `replay`, `image build`, or the CI
/// scripts that run them.
bool boots_vms(const DocCommand& c) {
  const std::string& program = c.argv[0];
  if (program == "ci/quickstart.sh" || program == "ci/test.sh" || program == "ci/container/two-shards.sh") return true;
  if (!program.ends_with("restorelab") || c.argv.size() < 2) return false;
  return c.argv[1] == "run" || c.argv[1] == "replay" || (c.argv[1] == "image" && c.argv.size() > 2);
}

std::vector<FencedBlock> readme_blocks() {
  return testing::fenced_blocks(testing::read_text(restorelab::source_path("/README.md")));
}

TEST(DocsCommandsTest, EveryShellBlockOfTheReadmeSaysWhichTestRunsIt) {
  const std::set<std::string> named = markers_named_by_tests();
  int runnable = 0;
  for (const FencedBlock& b : readme_blocks()) {
    if (b.info != "sh") continue;
    const std::string where = "README.md:" + std::to_string(b.line);
    if (b.marker == "doc-test") {
      ++runnable;
    } else if (b.marker == "boots-vms") {
      bool any = false;
      for (const DocCommand& c : testing::shell_commands(b.text)) any = any || boots_vms(c);
      EXPECT_TRUE(any) << where << ": marked boots-vms, but none of its commands starts a VM; mark it "
                       << "<!-- doc-test --> so that it runs in the unit tests";
    } else {
      EXPECT_TRUE(named.contains(b.marker))
          << where << ": a shell block needs <!-- doc-test --> (run here), <!-- boots-vms --> or a marker "
          << "a test runs; found " << (b.marker.empty() ? "none" : "<!-- " + b.marker + " -->");
    }
  }
  EXPECT_GT(runnable, 3);
}

/// Every doc-test block of `document` runs as written; a command exits as
/// its comment says (0 unless `# exit N`); an `<!-- output -->` block right
/// after it is what the block's commands print (stdout, then stderr, of
/// each in turn).
void run_doc_tests(const std::string& document) {
  const std::vector<FencedBlock> blocks =
      testing::fenced_blocks(testing::read_text(restorelab::source_path("/" + document)));
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const FencedBlock& b = blocks[i];
    if (b.marker != "doc-test") continue;
    Clone clone;
    std::string printed;
    for (const DocCommand& c : testing::shell_commands(b.text)) {
      const std::string where = document + ":" + std::to_string(b.line) + ": " + c.text;
      ASSERT_TRUE(c.argv[0] == "restorelab" || c.argv[0] == "build/harness/restorelab")
          << where << ": a doc-test block runs restorelab only";
      const Ran r = run_in(clone.dir(), c);
      EXPECT_EQ(r.code, promised_exit(c)) << where << "\n" << r.out << r.err;
      printed += r.out + r.err;
    }
    if (i + 1 < blocks.size() && blocks[i + 1].marker == "output") {
      EXPECT_TRUE(testing::shows(blocks[i + 1].text, printed))
          << document << ":" << blocks[i + 1].line << " shows\n" << blocks[i + 1].text << "but the commands print\n"
          << printed;
    }
  }
}

TEST(DocsCommandsTest, TheReadmesCommandsRunAsWritten) { run_doc_tests("README.md"); }

TEST(DocsCommandsTest, TheOtherDocumentsCommandsRunAsWritten) {
  for (const std::string& document : testing::project_documents())
    if (document != "README.md") run_doc_tests(document);
}

// The comparison itself: "..." stands for any lines, durations differ.
TEST(DocsCommandsTest, ShownOutputMatchesLineForLineWithEllipsesAndDurations) {
  EXPECT_TRUE(testing::shows("a\n...\nd\n", "a\nb\nc\nd\n"));
  EXPECT_TRUE(testing::shows("a\n...\n", "a\n"));
  EXPECT_TRUE(testing::shows("took 1.74 s\n", "took 12.3 s\n"));
  EXPECT_FALSE(testing::shows("a\nd\n", "a\nb\nd\n"));
  EXPECT_FALSE(testing::shows("121 passed\n", "126 passed\n"));
  EXPECT_FALSE(testing::shows("a\n", "a\nb\n"));
}

}  // namespace
}  // namespace restorelab
