// Reading back files restorelab wrote (input_file.h): only regular files,
// never blocking on a FIFO, never more than a limit.
#include "harness/output/input_file.h"

#include <gtest/gtest.h>

#include "tests/harness/cli_test_util.h"
#include "tests/support/fifo.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

class InputFileTest : public testing::TempDirTest {};

TEST_F(InputFileTest, ARegularFileIsReadWhole) {
  const std::string p = write("record.json", "{\"run\": 1}\n");
  EXPECT_EQ(read_regular_file(p, 64), "{\"run\": 1}\n");
  EXPECT_EQ(read_file_start(p, 4), "{\"ru");
  fs::create_symlink(p, dir_ + "/link.json");
  EXPECT_EQ(read_regular_file(dir_ + "/link.json", 64), "{\"run\": 1}\n") << "a link to a regular file is followed";
}

// A read that fails after the open (a folder: EISDIR; /proc/PID/cmdline of a
// process that has just exited: ESRCH) is "", not an exception: one escaped
// a pairwise campaign, aborted it and left its QEMUs running.
TEST_F(InputFileTest, AReadThatFailsAfterTheOpenIsEmptyNotAnException) {
  std::string text = "not read";
  EXPECT_NO_THROW(text = read_file_or_empty(dir_));
  EXPECT_EQ(text, "");
  EXPECT_EQ(read_file_or_empty(dir_ + "/missing"), "");
  EXPECT_EQ(read_file_or_empty(write("a.txt", std::string(200000, 'x'))), std::string(200000, 'x'));
}

TEST_F(InputFileTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  testing::UnblockedFifo fifo(dir_ + "/fifo");
  ASSERT_TRUE(fifo.made());
  auto read = read_regular_file(fifo.path(), 64);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().message, fifo.path() + ": a FIFO, not a regular file");
  auto start = read_file_start(fifo.path(), 16);
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error().message, fifo.path() + ": a FIFO, not a regular file");
}

TEST_F(InputFileTest, ADeviceAFolderAndAFileOverTheLimitAreRefused) {
  fs::create_symlink("/dev/zero", dir_ + "/zero");
  EXPECT_EQ(read_regular_file(dir_ + "/zero", 64).error().message, dir_ + "/zero: a character device, not a regular file");
  EXPECT_EQ(read_file_start("/dev/zero", 16).error().message, "/dev/zero: a character device, not a regular file");
  EXPECT_EQ(read_regular_file(dir_, 64).error().message, dir_ + ": a folder, not a regular file");
  const std::string sparse = write("huge.json", "");
  fs::resize_file(sparse, std::uintmax_t{3} << 30);
  EXPECT_EQ(read_regular_file(sparse, std::size_t{4} << 20).error().message,
            sparse + ": 3.0 GiB; expected at most 4.0 MiB");
  EXPECT_EQ(read_file_start(sparse, 4), std::string(4, '\0')) << "the start of a file of any size";
  auto missing = read_regular_file(dir_ + "/missing", 64);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().missing);
  EXPECT_EQ(missing.error().message, dir_ + "/missing: cannot be read: No such file or directory");
}

}  // namespace
}  // namespace restorelab
