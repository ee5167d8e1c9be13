// restorelab's entry point: everything lives in the libraries; this forwards.
#include "harness/cli/cli.h"

int main(int argc, char** argv) { return restorelab::run_main(argc, argv); }
