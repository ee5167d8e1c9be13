#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every ctest
# label (unit and vm). This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 "$@"
