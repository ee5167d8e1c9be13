#include "rules/toml_source.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

namespace restorelab {
namespace {

namespace fs = std::filesystem;

class DiskReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/restorelab-reader-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

// DiskReader{}.read(path) on another thread; gives up after a few seconds,
// so a reader that blocks fails the test instead of hanging it.
std::optional<std::expected<std::string, std::string>> read_within_seconds(const std::string& path, int seconds) {
  auto result = std::make_shared<std::promise<std::expected<std::string, std::string>>>();
  auto future = result->get_future();
  std::thread([path, result] { result->set_value(DiskReader{}.read(path)); }).detach();
  if (future.wait_for(std::chrono::seconds(seconds)) == std::future_status::ready) return future.get();
  return std::nullopt;
}

TEST_F(DiskReaderTest, RefusesAFifoWithoutWaitingForAWriter) {
  const std::string fifo = path("x.toml");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto read = read_within_seconds(fifo, 5);
  if (!read) {
    // Unblock the reader (a writer that closes at once), then fail.
    ::close(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK));
    FAIL() << "reading a FIFO blocked";
  }
  ASSERT_FALSE(*read);
  EXPECT_EQ(read->error(), "cannot read: it is a FIFO, not a regular file");
}

TEST_F(DiskReaderTest, RefusesDevicesDirectoriesAndSockets) {
  auto null = DiskReader{}.read("/dev/null");
  ASSERT_FALSE(null);
  EXPECT_EQ(null.error(), "cannot read: it is a character device, not a regular file");
  auto zero = read_within_seconds("/dev/zero", 5);  // never 16 GB of zeros
  ASSERT_TRUE(zero);
  ASSERT_FALSE(*zero);
  EXPECT_EQ(zero->error(), "cannot read: it is a character device, not a regular file");
  auto folder = DiskReader{}.read(dir_);
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error(), "cannot read: it is a directory, not a regular file");

  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = path("s.toml");
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  socket_path.copy(address.sun_path, socket_path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  auto socket = DiskReader{}.read(socket_path);
  ::close(fd);
  ASSERT_FALSE(socket);
  EXPECT_EQ(socket.error(), "cannot read: it is a socket, not a regular file");

  auto missing = DiskReader{}.read(path("missing.toml"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "cannot open: No such file or directory");
}

TEST_F(DiskReaderTest, ReadsAtMostFourMebibytes) {
  const std::string big = path("big.toml");
  std::ofstream(big).close();
  fs::resize_file(big, 9'542'042);  // sparse: 9.1 MiB of zeros
  auto read = DiskReader{}.read(big);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), "9.1 MiB is more than the 4 MiB a scenario, matrix or rulebook file may have");
  fs::resize_file(big, kMaxInputBytes + 1);
  EXPECT_EQ(DiskReader{}.read(big).error(),
            "4194305 bytes is more than the 4 MiB a scenario, matrix or rulebook file may have");
  fs::resize_file(big, kMaxInputBytes);
  auto at_limit = DiskReader{}.read(big);
  ASSERT_TRUE(at_limit) << at_limit.error();
  EXPECT_EQ(at_limit->size(), kMaxInputBytes);
}

TEST_F(DiskReaderTest, ReadsStandardInputAsDash) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const std::string text = "[scenario]\nname = \"x\"\n";
  ASSERT_EQ(::write(pipe_fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(pipe_fds[1]);
  auto read = DiskReader(pipe_fds[0]).read("-");
  ::close(pipe_fds[0]);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, text);
  EXPECT_EQ(input_name("-"), "<stdin>");
  EXPECT_EQ(input_name("a.toml"), "a.toml");
}

TEST_F(DiskReaderTest, BoundsStandardInputToo) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::thread writer([fd = pipe_fds[1]] {
    const std::string chunk(1 << 16, '#');
    for (std::size_t sent = 0; sent <= kMaxInputBytes; sent += chunk.size())
      if (::write(fd, chunk.data(), chunk.size()) < 0) break;  // the reader stopped
    ::close(fd);
  });
  auto read = DiskReader(pipe_fds[0]).read("-");
  ::close(pipe_fds[0]);
  writer.join();
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), "the input is more than the 4 MiB a scenario, matrix or rulebook file may have");
}

TEST(TomlSourceTest, ResolvesRelativeToTheFileOrTheCurrentFolder) {
  EXPECT_EQ(resolve_relative("scenarios/x.toml", "../machines/m.toml"), "machines/m.toml");
  EXPECT_EQ(resolve_relative("<stdin>", "machines/m.toml"), "machines/m.toml");
  EXPECT_EQ(resolve_relative("x.toml", "-"), "./-");  // a file named "-", never standard input
  EXPECT_EQ(resolve_relative("x.toml", "/abs/m.toml"), "/abs/m.toml");
}

std::string parse_errors(const std::string& text, MultilinePaths multiline = {}) {
  auto table = parse_toml(text, "f.toml", multiline);
  EXPECT_FALSE(table) << "expected errors";
  return table ? "" : format_diagnostics(table.error());
}

TEST(TomlSourceTest, RefusesControlCharactersInEveryKeyAndValue) {
  EXPECT_EQ(parse_errors("[source.os]\nsystemroot = \"C:\\\\WINDOWS\\n\"\n"),
            "f.toml:2:14: error: source.os.systemroot: control character U+000A in a value; expected printable "
            "text\n");
  EXPECT_EQ(parse_errors("a = [\"ok\", \"tab\\there\"]\n[t]\n\"k\\u001b\" = 1\nn.\"x.y\" = { v = \"\\u007f\" }\n"),
            "f.toml:1:12: error: a: control character U+0009 in a value; expected printable text\n"
            "f.toml:3:1: error: t.\"k\\x1b\": control character U+001B in a key; expected printable text\n"
            "f.toml:4:17: error: t.n.\"x.y\".v: control character U+007F in a value; expected printable text\n");
  EXPECT_EQ(parse_errors("[[rule]]\ncite = '''two\nlines'''\n"),
            "f.toml:2:8: error: rule.cite: control character U+000A in a value; expected printable text\n");
  // Only the values named may span lines, and they still take no tab.
  static constexpr std::string_view kConditions[] = {"rule.when", "helpers.*"};
  EXPECT_TRUE(parse_toml("[[rule]]\nwhen = '''a\nor b'''\n[helpers]\nh = \"\"\"x\n and y\"\"\"\n", "f.toml", kConditions));
  EXPECT_EQ(parse_errors("[helpers]\nh = \"\"\"x\n\tand y\"\"\"\n", kConditions),
            "f.toml:2:5: error: helpers.h: control character U+0009 in a value; expected printable text; indent with "
            "spaces\n");
  EXPECT_EQ(parse_errors("[[rule]]\nid = \"a\\nb\"\nwhen = '''a\nor b'''\n", kConditions),
            "f.toml:2:6: error: rule.id: control character U+000A in a value; expected printable text\n");
}

}  // namespace
}  // namespace restorelab
