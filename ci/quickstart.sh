#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs restorelab's main job on the
# bundled examples: predict them from the rulebook and summarise a matrix.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
bin=${BUILD_DIR:-build}/harness/restorelab
echo "== restorelab predict scenarios/examples/" >&2
"$bin" predict scenarios/examples/
echo "== restorelab matrix predict scenarios/matrices/hal-by-disk.toml" >&2
"$bin" matrix predict scenarios/matrices/hal-by-disk.toml --html "${BUILD_DIR:-build}/hal-by-disk.html"
