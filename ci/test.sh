#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every ctest
# label (unit and vm), then the unit tests again under ASan+UBSan
# (ci/sanitize.sh) and a short run of every fuzzer (ci/fuzz-smoke.sh).
# This is the README's test command; .ci/run calls it.
# Arguments go to the first ctest (e.g. `ci/test.sh -L unit`).
# SANITIZE=0 or FUZZ=0 skip those two steps on a developer's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 "$@"
if [ "${SANITIZE:-1}" != 0 ]; then ci/sanitize.sh; fi
if [ "${FUZZ:-1}" != 0 ]; then ci/fuzz-smoke.sh; fi
