#!/usr/bin/env bash
# Installs every Debian package restorelab needs to build, test and run VMs.
# Safe to run again: apt-get skips what is already installed.
# Usage: ci/setup.sh            (as root, or with sudo available)
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git ccache
  # libraries
  libtomlplusplus-dev libvirt-dev libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libsqlite3-dev
  # fuzzing: libFuzzer ships with clang; clang 14 cannot compile
  # std::expected of libstdc++ 12, clang 16 can (tests/fuzz/README.md)
  clang-16 libclang-rt-16-dev
  # running VMs
  libvirt-daemon-system qemu-system-x86 qemu-utils ovmf
  # building the model guest image (the kernel and boot loaders are fetched
  # with `apt-get download`, not installed on the host)
  dpkg-dev e2fsprogs mtools fdisk gdisk dosfstools cpio zstd xz-utils
  # bench/vm_bench.sh reads the JSON with python3
  python3
  # HTML report test
  chromium
  # the container image and its two-shard test (ci/container/), and the
  # offline check of the Kubernetes manifests (ci/k8s/validate.py)
  podman runc mmdebstrap python3-kubernetes python3-yaml
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed" >&2
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
