// One subcommand dispatcher for every level of the CLI (`restorelab`,
// `restorelab rules`, `restorelab matrix`, `restorelab results`): an explicit
// table of name, one-line help and function, which also prints the help and
// a "did you mean" for a near miss.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli/cli.h"

namespace restorelab {

/// A level of subcommands.
struct CommandGroup {
  std::string_view name;      ///< "restorelab rules": how usage and errors name it
  std::string_view intro;     ///< printed above the command list (may be empty)
  std::span<const Command> commands;
  std::string_view epilogue;  ///< printed below the command list (may be empty)
};

/// Runs the command `args[0]` names with the rest of `args`. No argument:
/// the usage on stderr, exit 2. `--help`, `-h` or `help`: the usage on
/// stdout, exit 0. An unknown name: an error with a suggestion, exit 2.
int dispatch(const CommandGroup& group, const std::vector<std::string>& args, Streams& io);

/// The usage text of `group`.
std::string usage(const CommandGroup& group);

}  // namespace restorelab
