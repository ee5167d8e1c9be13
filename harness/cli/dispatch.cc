#include "harness/cli/dispatch.h"

#include <ostream>

#include "harness/cli/exit_code.h"
#include "rules/diagnostic.h"

namespace restorelab {

std::string usage(const CommandGroup& group) {
  std::string out;
  if (!group.intro.empty()) out += std::string(group.intro) + "\n\n";
  out += "usage: " + std::string(group.name) + " <command> [options] [args]\n\ncommands:\n";
  std::size_t width = 0;
  for (const Command& c : group.commands) width = std::max(width, c.name.size());
  for (const Command& c : group.commands)
    out += "  " + std::string(c.name) + std::string(width + 3 - c.name.size(), ' ') + std::string(c.help) + "\n";
  out += "\nrun `" + std::string(group.name) + " <command> --help` for a command's options.\n";
  if (!group.epilogue.empty()) out += std::string(group.epilogue);
  return out;
}

int dispatch(const CommandGroup& group, const std::vector<std::string>& args, Streams& io) {
  if (args.empty()) {
    io.err << usage(group);
    return static_cast<int>(ExitCode::BadInput);
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    io.out << usage(group);
    return 0;
  }
  std::vector<std::string_view> names;
  for (const Command& c : group.commands) {
    if (c.name == name) return c.run({args.begin() + 1, args.end()}, io);
    names.push_back(c.name);
  }
  io.err << group.name << ": unknown command \"" << name << "\"";
  if (auto hint = did_you_mean(name, names); !hint.empty()) io.err << "; " << hint;
  io.err << "\nrun `" << group.name << " --help` for the list of commands\n";
  return static_cast<int>(ExitCode::BadInput);
}

}  // namespace restorelab
