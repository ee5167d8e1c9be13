// The command-line interface: one explicit table of subcommands.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace restorelab {

/// Where a command writes: results to `out` (stdout), progress, logs and
/// diagnostics to `err` (stderr). Tests pass string streams.
struct Streams {
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;  ///< show live progress on err
};

/// One subcommand. `run` gets the arguments after the subcommand's name and
/// returns an ExitCode value.
struct Command {
  std::string_view name;
  std::string_view help;
  int (*run)(const std::vector<std::string>& args, Streams& io);
};

/// The table of subcommands, in the order `--help` lists them.
std::span<const Command> commands();

/// Runs restorelab with `args` (without the program name).
int run_cli(const std::vector<std::string>& args, Streams& io);

/// The process: run_cli on the real standard output and error. Every write
/// to standard output is checked, and so is its close: output that did not
/// arrive (a full disk, /dev/full, a closed descriptor) is reported on
/// stderr and the exit code becomes 3 (RunFailed) where it would have been
/// 0 or 1.
int run_main(int argc, char** argv);

// The subcommands (each in its own *_command.cc).
int predict_command(const std::vector<std::string>& args, Streams& io);
int check_command(const std::vector<std::string>& args, Streams& io);
int matrix_command(const std::vector<std::string>& args, Streams& io);
int rules_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab run [--json] [--keep] [--connect URI] [--work DIR] [--evidence DIR] [--rules FILE] SCENARIO...`
int run_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab kept [--work DIR] [--json] [--remove RUN|all]`
int kept_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab replay ID [--db FILE] [--run N] [run's machine options]`
int replay_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab xml SCENARIO --side source|destination`
int xml_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab image build [--cache DIR]`
int image_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab results runs|show|compare|merge|coverage`
int results_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab results coverage MATRIX [--db FILE] [--campaign L | --run N] [--rules FILE] [--known FILE]
/// [--json] [--html FILE]` (coverage_command.cc)
int results_coverage(const std::vector<std::string>& args, Streams& io);

}  // namespace restorelab
