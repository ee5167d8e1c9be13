// Output files and standard output (harness/output/output_file.h,
// fd_stream.h): written whole or not at all, never replacing a device, a
// FIFO or a symlink's link, every write checked. Device nodes are made with
// mknod inside the test's own folder, never /dev/*.
#include "harness/output/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <ostream>

#include "harness/output/fd_stream.h"
#include "tests/harness/cli_test_util.h"
#include "tests/support/test_paths.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::TempDirTest;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class OutputFileTest : public TempDirTest {
 protected:
  /// A character device like /dev/null (1,3) or /dev/full (1,7) in the test folder.
  std::string device(const std::string& name, unsigned minor) {
    const std::string path = dir_ + "/" + name;
    if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) return {};
    return path;
  }
  bool is_char_device(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
  }
  /// Names in the folder, to see that no temporary file was left.
  std::vector<std::string> entries() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(OutputFileTest, WritesANewFileWithTheUsualMode) {
  const fs::path p = dir_ + "/report.xml";
  ASSERT_TRUE(write_output_file(p, "<a/>\n"));
  EXPECT_EQ(read(p), "<a/>\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"report.xml"});
  EXPECT_EQ(fs::status(p).permissions() & fs::perms::owner_read, fs::perms::owner_read);
}

TEST_F(OutputFileTest, ReplacesARegularFileWholeAndKeepsItsMode) {
  const std::string p = write("report.xml", "old and longer text\n");
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ASSERT_TRUE(write_output_file(p, "new\n"));
  EXPECT_EQ(read(p), "new\n");
  EXPECT_EQ(fs::status(p).permissions(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_EQ(entries(), std::vector<std::string>{"report.xml"});
}

TEST_F(OutputFileTest, WritesIntoANullDeviceWithoutReplacingIt) {
  const std::string null = device("null", 3);
  if (null.empty()) GTEST_SKIP() << "mknod needs root";
  ASSERT_TRUE(write_output_file(null, "text\n"));
  EXPECT_TRUE(is_char_device(null)) << "the device node was replaced";
}

TEST_F(OutputFileTest, AFullDeviceIsAWriteFailureAndStaysADevice) {
  const std::string full = device("full", 7);
  if (full.empty()) GTEST_SKIP() << "mknod needs root";
  auto written = write_output_file(full, "text\n");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, full + ": cannot write: No space left on device");
  EXPECT_EQ(written.error().exit_code(), 3);
  EXPECT_TRUE(is_char_device(full));
}

TEST_F(OutputFileTest, APlantedTemporaryNameIsNeverFollowed) {
  const std::string victim = write("victim", "precious\n");
  ASSERT_EQ(::symlink(victim.c_str(), (dir_ + "/report.xml.tmp").c_str()), 0);
  ASSERT_TRUE(write_output_file(dir_ + "/report.xml", "report\n"));
  EXPECT_EQ(read(victim), "precious\n");
  EXPECT_TRUE(fs::is_symlink(dir_ + "/report.xml.tmp"));
  EXPECT_EQ(read(dir_ + "/report.xml"), "report\n");
}

TEST_F(OutputFileTest, ASymlinkToAFileKeepsTheLinkAndReplacesTheFile) {
  const std::string target = write("real.html", "old\n");
  ASSERT_EQ(::symlink("real.html", (dir_ + "/link.html").c_str()), 0);
  ASSERT_TRUE(write_output_file(dir_ + "/link.html", "new\n"));
  EXPECT_TRUE(fs::is_symlink(dir_ + "/link.html"));
  EXPECT_EQ(read(target), "new\n");
}

TEST_F(OutputFileTest, RefusesFoldersDanglingLinksAndMissingFolders) {
  auto folder = write_output_file(dir_, "x");
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().message, dir_ + ": is a folder; expected a file name");
  EXPECT_EQ(folder.error().exit_code(), 2);

  ASSERT_EQ(::symlink((dir_ + "/nowhere").c_str(), (dir_ + "/dangling").c_str()), 0);
  auto dangling = write_output_file(dir_ + "/dangling", "x");
  ASSERT_FALSE(dangling);
  EXPECT_EQ(dangling.error().message, dir_ + "/dangling: is a symlink to nothing; not followed");
  EXPECT_FALSE(fs::exists(dir_ + "/nowhere"));

  auto missing = write_output_file(dir_ + "/no/such/report.xml", "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, dir_ + "/no/such/report.xml: the folder " + dir_ + "/no/such does not exist");
  EXPECT_EQ(missing.error().exit_code(), 2);
}

TEST_F(OutputFileTest, AFifoWithoutAReaderFailsAtOnceInsteadOfHanging) {
  const std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto written = write_output_file(fifo, "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message,
            fifo + ": cannot open for writing: No such device or address (a FIFO that nobody reads?)");
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
}

TEST_F(OutputFileTest, ANameTooLongForTheFileSystemIsRefusedAndLeavesNothing) {
  auto written = write_output_file(dir_ + "/" + std::string(300, 'a') + ".toml", "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().exit_code(), 2);
  EXPECT_TRUE(entries().empty());
}

TEST_F(OutputFileTest, CheckOutputPathSaysTheSameWithoutWriting) {
  EXPECT_TRUE(check_output_path(dir_ + "/new.xml"));
  EXPECT_FALSE(fs::exists(dir_ + "/new.xml"));
  EXPECT_EQ(check_output_path(dir_).error().message, dir_ + ": is a folder; expected a file name");
  EXPECT_EQ(check_output_path(dir_ + "/no/x.xml").error().exit_code(), 2);
}

TEST_F(OutputFileTest, AnOutputFolderMustBeAFolder) {
  EXPECT_TRUE(make_output_folder(dir_ + "/a/b"));
  EXPECT_TRUE(fs::is_directory(dir_ + "/a/b"));
  const std::string file = write("file", "x");
  auto made = make_output_folder(file);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message, file + ": exists and is not a folder");
}

TEST_F(OutputFileTest, AStreamOnAFullDeviceKeepsTheFirstError) {
  const std::string full = device("full", 7);
  if (full.empty()) GTEST_SKIP() << "mknod needs root";
  const int fd = ::open(full.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  {
    FdStreambuf buffer(fd, "standard output", 16);
    std::ostream out(&buffer);
    out << "more than sixteen bytes of JSON\n";
    out.flush();
    EXPECT_FALSE(out.good());
    ASSERT_TRUE(buffer.error());
    EXPECT_EQ(buffer.error()->message, "standard output: cannot write: No space left on device");
  }
  ::close(fd);
}

/// Runs the restorelab binary with stdout on `path` (closed when empty);
/// returns its exit code and stderr.
std::pair<int, std::string> run_binary(const std::vector<std::string>& args, const std::string& path,
                                       const std::string& err_file) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 2);
    if (path.empty()) {
      ::close(1);
    } else {
      const int out = ::open(path.c_str(), O_WRONLY);
      ::dup2(out, 1);
    }
    std::vector<char*> argv{const_cast<char*>(restorelab::testing::restorelab_binary())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(restorelab::testing::restorelab_binary(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(err_file)};
}

TEST_F(OutputFileTest, PredictJsonOntoAFullDiskExits3) {
  const std::string full = device("full", 7);
  if (full.empty()) GTEST_SKIP() << "mknod needs root";
  const std::string examples = std::string(restorelab::source_dir()) + "/scenarios/examples";
  auto [code, err] = run_binary({"predict", "--json", examples}, full, dir_ + "/err");
  EXPECT_EQ(code, 3);
  EXPECT_EQ(err, "restorelab: standard output: cannot write: No space left on device; the output is incomplete\n");
}

TEST_F(OutputFileTest, PredictJsonWithStdoutClosedExits3) {
  const std::string examples = std::string(restorelab::source_dir()) + "/scenarios/examples";
  auto [code, err] = run_binary({"predict", "--json", examples}, "", dir_ + "/err");
  EXPECT_EQ(code, 3);
  EXPECT_EQ(err, "restorelab: standard output: cannot write: it was closed when restorelab started; the output is "
                 "incomplete\n");
}

}  // namespace
}  // namespace restorelab
