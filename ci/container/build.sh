#!/usr/bin/env bash
# Builds restorelab's container image with podman (Debian's packages: podman,
# runc; mmdebstrap when there is no debian:12 image) and prints the image's
# reference as the last line of stdout; progress goes to stderr.
#
# Usage: ci/container/build.sh [--from-source] [--tag NAME]
#   default        the image is made of the host's build: BUILD_DIR's
#                  harness/restorelab (ci/build.sh, default build/) and the
#                  model guest's artifacts (`restorelab image build`), with
#                  Debian's runtime packages: minutes.
#   --from-source  ci/container/Containerfile: the image compiles restorelab
#                  and builds the guest itself (no host build needed; the
#                  whole compile on one core of the builder).
#   --tag NAME     the image's name (default localhost/restorelab:latest).
# APT_SOURCES names the Debian 12 apt sources file used by the build and by
# mmdebstrap (default: the host's, /etc/apt/sources.list.d/debian.sources or
# /etc/apt/sources.list). It is mounted read-only while packages install and
# never copied into the image, nor is any list apt fetched from it.
#
# The base is `debian:12` when podman has it (`podman pull debian:12` where a
# registry is reachable); otherwise it is made from the Debian packages the
# apt sources give, with mmdebstrap, and imported as localhost/debian:12.
# Containers run with runc and explicit limits (--ulimit), not crun: on a
# host where crun cannot set RLIMIT_NOFILE this works without changing the
# host's configuration.
#
# The image is built under a temporary name and only tagged NAME once
# complete: a failed build leaves no image under NAME.
# Exit: 0 built, 2 a missing or broken tool or input (what to install), 1 the
# build failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

tag=localhost/restorelab:latest
from_source=0
while [ $# -gt 0 ]; do
  case $1 in
    --from-source) from_source=1; shift ;;
    --tag) [ $# -ge 2 ] || { echo "build.sh: --tag needs a name" >&2; exit 2; }; tag=$2; shift 2 ;;
    *) echo "build.sh: unknown argument \"$1\" (expected --from-source or --tag NAME)" >&2; exit 2 ;;
  esac
done

fail() { echo "build.sh: $1" >&2; exit 2; }
install_hint="install it with \`apt-get install podman runc mmdebstrap\` (Debian 12) or ci/setup.sh"
command -v podman >/dev/null 2>&1 || fail "podman is not installed; $install_hint"
command -v runc >/dev/null 2>&1 || fail "runc is not installed; $install_hint"
# The flags every podman command that starts a container takes (podman_run.sh too).
source ci/container/podman-flags.sh
if ! info=$(podman "${podman_global[@]}" info --format '{{.Host.OCIRuntime.Name}}' 2>&1); then
  fail "podman does not work here: ${info##*$'\n'}"
fi

sources=${APT_SOURCES:-}
if [ -z "$sources" ]; then
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [ -s "$f" ]; then sources=$f; break; fi
  done
fi
[ -n "$sources" ] && [ -r "$sources" ] ||
  fail "no apt sources file (set APT_SOURCES to a Debian 12 sources file, .list or .sources)"

tmp=$(mktemp -d /var/tmp/restorelab-image.XXXXXX)
building="localhost/restorelab-building-$$:latest"
cleanup() {
  # Without the final tag this removes the half-built image; with it, only
  # the temporary name.
  podman "${podman_global[@]}" rmi "$building" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

start=$SECONDS
if ! podman "${podman_global[@]}" image exists debian:12; then
  command -v mmdebstrap >/dev/null 2>&1 || fail "no debian:12 image and no mmdebstrap to make one; $install_hint (or \`podman pull debian:12\`)"
  echo "build.sh: no debian:12 image; making one with mmdebstrap from $sources" >&2
  # The apt sources and the lists fetched with them stay out of the image.
  nice -n 19 mmdebstrap --quiet --variant=minbase \
    --customize-hook='rm -rf "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/* "$1"/var/lib/apt/lists/* "$1"/var/log/apt/*' \
    bookworm "$tmp/rootfs.tar" "$sources" >&2
  podman "${podman_global[@]}" import --change 'CMD ["bash"]' "$tmp/rootfs.tar" localhost/debian:12 >/dev/null
  rm -f "$tmp/rootfs.tar"
  echo "build.sh: localhost/debian:12 made in $((SECONDS - start)) s" >&2
fi

# apt inside the build reads only this folder (Containerfile's apt-get lines).
mkdir -p "$tmp/apt"
case $sources in
  *.sources) cp "$sources" "$tmp/apt/host.sources" ;;
  *) cp "$sources" "$tmp/apt/host.list" ;;
esac
build=(podman "${podman_global[@]}" build "${podman_limits[@]}"
  -v "$tmp/apt:/run/host-apt:ro" -t "$building")
if [ "$from_source" = 1 ]; then
  nice -n 19 "${build[@]}" -f ci/container/Containerfile . >&2
else
  bin=${BUILD_DIR:-build}/harness/restorelab
  [ -x "$bin" ] || fail "$bin is not built (run ci/build.sh first, or use --from-source)"
  # The artifacts the binary will look for: those of this tree's images/.
  artifacts=$(RESTORELAB_IMAGES_DIR="$PWD/images" "$bin" image build) ||
    fail "\`$bin image build\` failed; the model guest's artifacts are needed"
  artifacts=${artifacts#*: }
  artifacts=${artifacts% (*}
  [ -f "$artifacts/stamp" ] || fail "no model guest artifacts in $artifacts"
  ctx=$tmp/context
  mkdir -p "$ctx/src" "$ctx/artifacts"
  objcopy --strip-debug "$bin" "$ctx/restorelab"
  # The tracked and new files of the folders restorelab reads at run time.
  git ls-files -z --cached --others --exclude-standard -- images rules scenarios |
    tar --null -T - -cf - | tar -xf - -C "$ctx/src"
  # Without the downloaded packages (.debs, 70 MB): needed only to build again.
  cp -a "$artifacts" "$ctx/artifacts/$(basename "$artifacts")"
  rm -rf "$ctx/artifacts/$(basename "$artifacts")"/.debs "$ctx/artifacts/$(basename "$artifacts")"/.work
  nice -n 19 "${build[@]}" -f ci/container/Containerfile.prebuilt "$ctx" >&2
fi
previous=$(podman "${podman_global[@]}" image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
podman "${podman_global[@]}" tag "$building" "$tag"
# The image NAME named before, unless another name or a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$(podman "${podman_global[@]}" image inspect --format '{{.Id}}' "$tag")" ]; then
  podman "${podman_global[@]}" rmi "$previous" >/dev/null 2>&1 || true
fi
echo "build.sh: $tag built in $((SECONDS - start)) s" \
  "($(podman "${podman_global[@]}" image inspect --format '{{.Size}}' "$tag") bytes)" >&2
echo "$tag"
