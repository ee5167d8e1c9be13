#include "harness/cli/cli.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <ostream>

#include "harness/output/fd_stream.h"
#include "rules/diagnostic.h"

namespace restorelab {

namespace {

const std::array kCommands = {
    Command{"predict", "predict the outcome of scenario files from the rulebook", predict_command},
    Command{"check", "validate scenario files without predicting", check_command},
    Command{"matrix", "expand a scenario matrix, predict it, summarise it (expand|predict)", matrix_command},
    Command{"rules", "the rule author's tools: lint, test, diff, coverage", rules_command},
    Command{"run", "reproduce scenarios on VMs (libvirt + QEMU) and compare with the prediction", run_command},
    Command{"xml", "print the domain XML of a scenario's source or destination machine", xml_command},
    Command{"image", "build the model guest's cached artifacts (image build)", image_command},
};

void print_usage(std::ostream& os) {
  os << "restorelab " RESTORELAB_VERSION
        " - predict and reproduce Windows restores onto different hardware (KB 249694)\n\n"
        "usage: restorelab <command> [options] [args]\n\ncommands:\n";
  for (const Command& c : commands()) {
    os << "  " << c.name;
    for (std::size_t i = c.name.size(); i < 16; ++i) os << ' ';
    os << c.help << '\n';
  }
  os << "\nrun `restorelab <command> --help` for a command's options.\n"
        "exit codes: 0 ok, 1 an expectation missed or a verdict disagreed, 2 bad input,\n"
        "3 a run failed (infrastructure), 130 interrupted.\n";
}

}  // namespace

std::span<const Command> commands() { return kCommands; }

int run_cli(const std::vector<std::string>& args, Streams& io) {
  if (args.empty()) {
    print_usage(io.err);
    return static_cast<int>(ExitCode::BadInput);
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(io.out);
    return 0;
  }
  if (name == "--version" || name == "version") {
    io.out << "restorelab " RESTORELAB_VERSION "\n";
    return 0;
  }
  for (const Command& c : commands())
    if (c.name == name) return c.run({args.begin() + 1, args.end()}, io);
  std::vector<std::string_view> names;
  for (const Command& c : commands()) names.push_back(c.name);
  io.err << "restorelab: unknown command \"" << name << "\"";
  if (auto hint = did_you_mean(name, names); !hint.empty()) io.err << "; " << hint;
  io.err << "\nrun `restorelab --help` for the list of commands\n";
  return static_cast<int>(ExitCode::BadInput);
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
