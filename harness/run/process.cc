#include "harness/run/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace restorelab::run {

Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                  const std::atomic<int>* cancel) {
  if (argv.empty()) return std::unexpected(make_error("run_process: no program"));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return std::unexpected(make_error(std::string("pipe: ") + std::strerror(errno)));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return std::unexpected(make_error(std::string("fork: ") + std::strerror(errno)));
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group, so a timeout kills its children too
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    // The parent's handlers for SIGINT/SIGTERM only set flags; restore defaults.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(args[0], args.data());
    const std::string msg = std::string("cannot run ") + args[0] + ": " + std::strerror(errno) + "\n";
    (void)!write(2, msg.data(), msg.size());
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string why_killed;
  int status = 0;
  bool exited = false;
  while (true) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<std::size_t>(n));
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      exited = true;
      while ((n = read(fds[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<std::size_t>(n));
      break;
    }
    if (cancel != nullptr && cancel->load() != 0) why_killed = "interrupted";
    else if (std::chrono::steady_clock::now() >= deadline)
      why_killed = "no exit within " + std::to_string(timeout.count() / 1000) + " s";
    if (!why_killed.empty()) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  close(fds[0]);
  if (!exited)
    return std::unexpected(make_error(argv[0] + ": " + why_killed + (result.output.empty() ? "" : "; output:\n" + result.output)));
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace restorelab::run
