# Sourced by ci/build.sh, ci/sanitize.sh and ci/fuzz-smoke.sh: use ccache
# when it is installed (ci/setup.sh installs it), with one cache per machine
# under /var/tmp/restorelab (or $CCACHE_DIR) that every checkout shares.
# Paths are rewritten relative to the checkout, so a clone in another folder
# hits the entries an earlier one made. Nothing here is required: without
# ccache the build runs as before.
# Sets the array `launcher` to the cmake arguments that turn it on.
launcher=()
if [ "${RESTORELAB_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null 2>&1; then
  export CCACHE_DIR=${CCACHE_DIR:-/var/tmp/restorelab/ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  export CCACHE_NOHASHDIR=1
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
  if mkdir -p "$CCACHE_DIR" 2>/dev/null && [ -w "$CCACHE_DIR" ]; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
fi
