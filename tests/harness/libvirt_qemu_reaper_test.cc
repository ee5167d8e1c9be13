// Prompt reaping of exited QEMU processes (harness/libvirt/qemu_reaper.h).
#include "harness/libvirt/qemu_reaper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

namespace restorelab::libvirt {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST(QemuReaperTest, FindsOnlyZombieQemuProcesses) {
  const fs::path proc = fs::temp_directory_path() / ("rl-reaper-test-" + std::to_string(getpid()));
  auto stat = [&](int pid, const std::string& line) {
    fs::create_directories(proc / std::to_string(pid));
    std::ofstream(proc / std::to_string(pid) / "stat") << line;
  };
  // Fields: pid (comm) state ppid pgrp session tty; this process's session is 500.
  stat(10, "10 (qemu-system-x86) Z 1 10 10 0");
  stat(11, "11 (qemu-system-x86) S 1 11 11 0");        // still running
  stat(12, "12 (make-disk.sh) Z 1 12 12 0");            // someone else's child to wait for
  stat(13, "13 (qemu-system-x) (odd) Z 1 13 13 0");     // parentheses in the name
  stat(15, "15 (qemu-system-x86) Z 1 500 500 0");       // a launcher this session waits for
  EXPECT_THAT(zombie_qemus({10, 11, 12, 13, 14, 15}, 500, proc), ElementsAre(10, 13));
  fs::remove_all(proc);
}

// An orphaned QEMU-named process that exits does not stay a zombie: the
// reaper adopts and reaps it (libvirt waits for exactly that PID to vanish).
TEST(QemuReaperTest, AnOrphanedQemuThatExitsIsReaped) {
  ASSERT_TRUE(start_qemu_reaper().has_value());
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t middle = fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    // Daemonize like libvirt: a new session, and the grandchild outlives its parent.
    setsid();
    const pid_t qemu = fork();
    if (qemu == 0) {
      prctl(PR_SET_NAME, "qemu-system-x86", 0, 0, 0);
      usleep(200 * 1000);
      _exit(0);
    }
    (void)!write(pipe_fds[1], &qemu, sizeof qemu);
    _exit(0);
  }
  pid_t qemu = 0;
  ASSERT_EQ(read(pipe_fds[0], &qemu, sizeof qemu), static_cast<ssize_t>(sizeof qemu));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_EQ(waitpid(middle, nullptr, 0), middle);
  // Adopted by this process (not PID 1), so nobody else would ever reap it.
  std::ifstream stat("/proc/" + std::to_string(qemu) + "/stat");
  std::string pid_field, comm, state;
  int parent = 0;
  stat >> pid_field >> comm >> state >> parent;
  EXPECT_EQ(parent, getpid());
  // Gone (not a zombie) once reaped; wait generously, this is not a speed test.
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = kill(qemu, 0) != 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "pid " << qemu << " still exists";
}

// A QEMU this process started and waits for itself stays its own: libvirt's
// capability probe waits for the `qemu-system-x86_64 -daemonize` launcher,
// and a reaper that took it would fail that wait with ECHILD.
TEST(QemuReaperTest, AQemuThisSessionWaitsForIsLeftToItsWaiter) {
  ASSERT_TRUE(start_qemu_reaper().has_value());
  const pid_t launcher = fork();
  ASSERT_GE(launcher, 0);
  if (launcher == 0) {
    prctl(PR_SET_NAME, "qemu-system-x86", 0, 0, 0);
    _exit(7);
  }
  // Long enough for the reaper's loop (every 20 ms) to see the zombie.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int status = 0;
  ASSERT_EQ(waitpid(launcher, &status, 0), launcher) << "the reaper took the launcher: " << std::strerror(errno);
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

}  // namespace
}  // namespace restorelab::libvirt
