#include "harness/machines/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace restorelab::machines {

namespace {

/// Reads what is there without blocking; false at end of file.
bool drain(int fd, std::string& into) {
  char buf[8192];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0;  // EAGAIN: open, nothing now; 0: closed
  }
}

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                  const std::atomic<int>* cancel) {
  return run_process(argv, ProcessOptions{.timeout = timeout, .cancel = cancel});
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) return std::unexpected(make_error("run_process: no program"));
  int out_pipe[2], err_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    return std::unexpected(make_error(std::string("pipe: ") + std::strerror(errno)));
  if (options.separate_stderr && pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return std::unexpected(make_error(std::string("pipe: ") + std::strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Built before fork: the child of a threaded process may only call
  // async-signal-safe functions, and allocating is not one.
  const std::string cannot_run = "cannot run " + argv[0] + ": ";
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      if (fd >= 0) close(fd);
    return std::unexpected(make_error(std::string("fork: ") + std::strerror(errno)));
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group, so a timeout kills its children too
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out_pipe[1], 1);
    dup2(options.separate_stderr ? err_pipe[1] : out_pipe[1], 2);
    // The parent's handlers for SIGINT/SIGTERM only set flags; restore defaults.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(args[0], args.data());
    const char* why = strerror(errno);
    (void)!write(2, cannot_run.data(), cannot_run.size());
    (void)!write(2, why, strlen(why));
    (void)!write(2, "\n", 1);
    _exit(127);
  }
  close(out_pipe[1]);
  if (err_pipe[1] >= 0) close(err_pipe[1]);
  ProcessResult result;
  std::vector<pollfd> open_fds = {{out_pipe[0], POLLIN, 0}};
  if (err_pipe[0] >= 0) open_fds.push_back({err_pipe[0], POLLIN, 0});
  for (const pollfd& p : open_fds) fcntl(p.fd, F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::string why_killed;
  int status = 0;
  bool exited = false;
  while (true) {
    // Wake on output, or every 20 ms to look at the child, the deadline and `cancel`.
    poll(open_fds.data(), open_fds.size(), 20);
    const std::size_t had = result.output.size();
    for (std::size_t i = 0; i < open_fds.size();) {
      std::string& into = open_fds[i].fd == out_pipe[0] ? result.output : result.errors;
      if (drain(open_fds[i].fd, into)) {
        ++i;
        continue;
      }
      open_fds.erase(open_fds.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (waitpid(pid, &status, WNOHANG) == pid) {
      // What the child wrote before it exited is in the pipes now; a
      // grandchild that keeps them open is not waited for.
      exited = true;
      for (const pollfd& p : open_fds) drain(p.fd, p.fd == out_pipe[0] ? result.output : result.errors);
      break;
    }
    if (options.stop_when && result.output.size() != had && options.stop_when(result.output)) {
      result.stopped = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    if (result.output.size() + result.errors.size() > options.max_output)
      why_killed = "more than " + std::to_string(options.max_output >> 20) + " MiB of output";
    else if (options.cancel != nullptr && options.cancel->load() != 0) why_killed = "interrupted";
    else if (std::chrono::steady_clock::now() >= deadline)
      why_killed = "no exit within " + std::to_string(options.timeout.count() / 1000) + " s";
    if (!why_killed.empty()) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
  }
  close(out_pipe[0]);
  if (err_pipe[0] >= 0) close(err_pipe[0]);
  if (!exited && !result.stopped) {
    std::string shown = result.output + result.errors;
    if (shown.size() > 4096) shown = "..." + shown.substr(shown.size() - 4096);
    return std::unexpected(make_error(argv[0] + ": " + why_killed + (shown.empty() ? "" : "; output:\n" + shown)));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace restorelab::machines
