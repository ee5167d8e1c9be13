// restorelab's exit codes: what a script or CI job can tell from the status
// alone, the same for every subcommand.
#pragma once

namespace restorelab {

enum class ExitCode : int {
  Ok = 0,              ///< everything ran and met its expectation
  Mismatch = 1,        ///< a prediction missed its [expect], a verdict disagreed, lint found something
  BadInput = 2,        ///< a file or an argument could not be used; nothing ran
  RunFailed = 3,       ///< infrastructure failed (a VM did not start, an image did not build)
  Interrupted = 130,   ///< SIGINT/SIGTERM; everything created was cleaned up
};

}  // namespace restorelab
