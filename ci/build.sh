#!/usr/bin/env bash
# Configures and builds restorelab into build/ (or $BUILD_DIR).
# Usage: ci/build.sh [extra cmake args...]
# BUILD_TARGETS="t1 t2" builds only those targets (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
source ci/ccache-env.sh
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRESTORELAB_WERROR=$werror "${launcher[@]}" "$@" >&2
read -r -a targets <<< "${BUILD_TARGETS:-}"
ninja -C "$build_dir" "${targets[@]}" >&2
