// `restorelab image build`: the model guest's artifacts.
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/dispatch.h"
#include "harness/cli/exit_code.h"
#include "harness/output/text.h"
#include "harness/run/disk_tool.h"
#include "harness/run/interrupt.h"

namespace restorelab {

namespace {

int build(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Build the model guest's cached artifacts (kernel, initramfs pieces, loaders, guest program)\n"
               "with images/build-image.sh; `restorelab run` does this on first use.\n"
               "Exit: 0 built or up to date, 2 usage, 3 the build failed.",
               "restorelab image build");
  std::string cache;
  app.add_option("--cache", cache, "artifacts folder (default /var/tmp/restorelab/images/<inputs hash>)");
  if (auto exit = parse_args(app, args, io)) return *exit;

  auto& interrupt = run::install_interrupt_handlers();
  const auto images = run::images_source_dir();
  const std::filesystem::path dir = cache.empty() ? run::default_artifacts_dir(images) : std::filesystem::path(cache);
  if (io.err_is_terminal) io.err << "building the model guest in " << dir.string() << " ...\n";
  run::ScriptDiskTool tool(images, &interrupt);
  auto info = tool.build_artifacts(dir);
  run::restore_default_handlers();
  if (interrupt.load() != 0) return static_cast<int>(ExitCode::Interrupted);
  if (!info) {
    io.err << "restorelab image: " << info.error().message << "\n";
    return static_cast<int>(ExitCode::RunFailed);
  }
  io.out << text("{}: {} ({} KiB, {} ms)\n", info->rebuilt ? "built" : "up to date", dir.string(),
                          static_cast<long long>(info->bytes / 1024), static_cast<long long>(info->seconds * 1000));
  return 0;
}

}  // namespace

int image_command(const std::vector<std::string>& args, Streams& io) {
  static constexpr Command kSub[] = {
      {"build", "build the artifacts (cached by their inputs; `run` does this on first use)", build},
  };
  return dispatch({"restorelab image", "", kSub, ""}, args, io);
}

}  // namespace restorelab
