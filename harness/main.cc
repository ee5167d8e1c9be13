// restorelab's entry point: everything lives in the libraries; this forwards.
#include <unistd.h>

#include <iostream>

#include "harness/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  restorelab::Streams io{std::cout, std::cerr, isatty(STDERR_FILENO) == 1};
  int code = restorelab::run_cli({argv + 1, argv + argc}, io);
  std::cout.flush();
  return code;
}
