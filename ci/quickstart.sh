#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs restorelab's main job on the
# bundled examples: predict them from the rulebook, summarise a matrix, and
# reproduce two restores on real virtual machines (one that boots on one of
# four processors, one that stops with 0x7B).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
bin=${BUILD_DIR:-build}/harness/restorelab
echo "== restorelab predict scenarios/examples/" >&2
"$bin" predict scenarios/examples/
echo "== restorelab matrix predict scenarios/matrices/hal-by-disk.toml" >&2
"$bin" matrix predict scenarios/matrices/hal-by-disk.toml --html "${BUILD_DIR:-build}/hal-by-disk.html"
echo "== restorelab run (real VMs; the first run builds the guest image and probes QEMU)" >&2
"$bin" run scenarios/examples/acpi-up-to-acpi-mp.toml scenarios/examples/xp-ide-to-sata.toml
