#include "harness/cli/cli.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <ostream>

#include "harness/cli/dispatch.h"
#include "harness/cli/exit_code.h"
#include "harness/output/fd_stream.h"
#include "harness/output/input_files.h"
#include "rules/diagnostic.h"
#include "rules/toml_source.h"

namespace restorelab {

namespace {

constexpr std::array kCommands = {
    Command{"predict", "predict the outcome of scenario files from the rulebook", predict_command},
    Command{"check", "validate scenario files without predicting", check_command},
    Command{"matrix", "expand a scenario matrix, predict it, summarise it (expand|predict)", matrix_command},
    Command{"rules", "the rule author's tools: lint, test, diff, coverage", rules_command},
    Command{"run", "reproduce scenarios on VMs (libvirt + QEMU) and compare with the prediction", run_command},
    Command{"results", "what the results store remembers: runs, show, compare, merge", results_command},
    Command{"kept", "the machines kept for inspection (run --keep): list them, or --remove RUN|all", kept_command},
    Command{"replay", "run one stored scenario again on VMs, kept, and compare with what was observed", replay_command},
    Command{"xml", "print the domain XML of a scenario's source or destination machine", xml_command},
    Command{"image", "build the model guest's cached artifacts (image build)", image_command},
};

constexpr CommandGroup kGroup{
    "restorelab",
    "restorelab " RESTORELAB_VERSION " - predict and reproduce Windows restores onto different hardware (KB 249694)",
    kCommands,
    "exit codes: 0 ok, 1 an expectation missed or a verdict disagreed, 2 bad input,\n"
    "3 a run failed (infrastructure), 130 interrupted.\n"};

}  // namespace

std::span<const Command> commands() { return kCommands; }

int run_cli(const std::vector<std::string>& args, Streams& io) {
  // Every file the command reads is an input no output of it may replace.
  const InputFilesScope inputs;
  set_read_observer([](const std::string& path, unsigned long device, unsigned long inode) {
    note_input(path, static_cast<dev_t>(device), static_cast<ino_t>(inode));
  });
  if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
    io.out << "restorelab " RESTORELAB_VERSION "\n";
    return 0;
  }
  return dispatch(kGroup, args, io);
}

int run_main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const ClosedStdio closed = occupy_closed_stdio();
  FdStreambuf out_buffer(STDOUT_FILENO, "standard output");
  if (closed.out) out_buffer.refuse("it was closed when restorelab started");
  std::ostream out(&out_buffer);
  Streams io{out, std::cerr, isatty(STDERR_FILENO) == 1};
  int code = run_cli({argv + 1, argv + argc}, io);
  out.flush();
  std::string failure;
  if (out_buffer.error()) failure = out_buffer.error()->message;
  else if (::close(STDOUT_FILENO) != 0 && errno != EBADF)
    failure = std::string("standard output: cannot write: ") + std::strerror(errno);
  if (failure.empty()) return code;
  std::cerr << "restorelab: " << failure << "; the output is incomplete\n";
  return code <= static_cast<int>(ExitCode::Mismatch) ? static_cast<int>(ExitCode::RunFailed) : code;
}

}  // namespace restorelab
