#!/usr/bin/env bash
# A Kubernetes Indexed Job's containers as they run, with podman on one host:
# builds the image (ci/container/build.sh, from the host's build), runs the
# two shards of tests/container/two-shards.toml in two containers at once,
# each with JOB_COMPLETION_INDEX and RESTORELAB_SHARD_COUNT set as
# Kubernetes sets them and a results folder mounted, merges the two stores
# on the host with `restorelab results merge` and checks the merged campaign:
# every scenario of the matrix once, from its own shard, with its verdict.
# Before that, build.sh without podman and a shard whose results folder is
# read-only must exit 2 (the latter starting no VM). Nothing is left afterwards: no container, no QEMU, no folder.
#
# Usage: ci/container/two-shards.sh    (as root; ctest -L container runs it)
# BUILD_DIR: the host's build (default build/); IMAGE: an image to use
# instead of building one; TMPDIR: where its folder goes (default /var/tmp).
# The containers run with `nice -n 19` (their processes inherit it) and
# without privilege: QEMU under TCG, /dev/kvm only when the host has it.
# Exit: 0 passed, 1 a check failed, 2 bad setup (no podman: build.sh says).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ci/container/podman-flags.sh
bin=${BUILD_DIR:-build}/harness/restorelab
[ -x "$bin" ] || { echo "two-shards: $bin is not built (ci/build.sh)" >&2; exit 2; }
start=$SECONDS

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/restorelab-two-shards.XXXXXX")
names=("rl-shard-0-$$" "rl-shard-1-$$" "rl-shard-ro-$$")
# Inside the containers libvirt's embedded root is here; QEMU's command line
# names it, so that a QEMU left behind would be found on the host.
embed=/var/tmp/rl-container-embed
cleanup() {
  # One at a time, --ignore: a name not (or no longer) there must not keep
  # the others from being removed.
  local n
  for n in "${names[@]}"; do podman "${podman_global[@]}" rm -f --ignore -t 5 "$n" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "two-shards: FAILED: $1" >&2; exit 1; }

# build.sh on a host without podman: what to install, exit 2.
mkdir -p "$tmp/no-podman"
ln -s "$(command -v dirname)" "$tmp/no-podman/dirname"
set +e
no_podman=$(PATH=$tmp/no-podman "$BASH" ci/container/build.sh 2>&1)
no_podman_exit=$?
set -e
expected="build.sh: podman is not installed; install it with \`apt-get install podman runc mmdebstrap\` (Debian 12) or ci/setup.sh"
[ "$no_podman_exit" = 2 ] && [ "$no_podman" = "$expected" ] ||
  fail "build.sh without podman: exit $no_podman_exit, \"$no_podman\"; expected exit 2, \"$expected\""

if [ -n "${IMAGE:-}" ]; then
  image=$IMAGE
else
  image=$(ci/container/build.sh --tag localhost/restorelab:two-shards | tail -n 1)
fi
echo "two-shards: image $image ready after $((SECONDS - start)) s" >&2

kvm=()
if [ -e /dev/kvm ]; then kvm=(--device /dev/kvm); fi
shard() {  # shard NAME INDEX RESULTS-MOUNT-SUFFIX [restorelab run options...]
  local name=$1 index=$2 mount=$3
  shift 3
  # no-new-privileges: the pods' allowPrivilegeEscalation: false (ci/k8s/).
  nice -n 19 podman "${podman_global[@]}" run "${detach[@]}" --name "$name" "${podman_limits[@]}" "${kvm[@]}" \
    --security-opt no-new-privileges \
    -e JOB_COMPLETION_INDEX="$index" -e RESTORELAB_SHARD_COUNT=2 \
    -v "$tmp/results:/results$mount" -v "$PWD/tests:/tests:ro" "$image" \
    run --shard auto --jobs 1 --campaign container-shards --connect "qemu:///embed?root=$embed" \
    --db "/results/$index.sqlite" "$@" /tests/container/two-shards.toml
}

# A shard whose store folder is read-only: exit 2, the reason, no VM.
mkdir -p "$tmp/results"
set +e
detach=()
ro_out=$(shard "${names[2]}" 0 :ro 2>&1)
ro_exit=$?
set -e
[ "$ro_exit" = 2 ] || fail "a read-only results folder: exit $ro_exit, expected 2: $ro_out"
expected="restorelab: /results/0.sqlite: cannot create the results store: the folder /results is not writable (Read-only file system)"
[ "$ro_out" = "$expected" ] || fail "a read-only results folder said \"$ro_out\", expected \"$expected\""
# libvirt's root is made when restorelab connects, before any VM: not there.
touched=$(podman "${podman_global[@]}" diff --format json "${names[2]}")
podman "${podman_global[@]}" rm "${names[2]}" >/dev/null
case $touched in *"$embed"*) fail "a read-only results folder still opened libvirt: $touched" ;; esac

# The two shards at once, as the Job's two pods.
shards_start=$SECONDS
detach=(-d)
for i in 0 1; do
  shard "${names[$i]}" "$i" "" --evidence /results/evidence --junit "/results/$i.xml" >/dev/null
done
for i in 0 1; do
  code=$(podman "${podman_global[@]}" wait "${names[$i]}")
  podman "${podman_global[@]}" logs "${names[$i]}" > "$tmp/shard-$i.log" 2>&1 || true
  if [ "$code" != 0 ]; then
    cat "$tmp/shard-$i.log" >&2
    fail "shard $i exited $code"
  fi
done
echo "two-shards: both shards ran in $((SECONDS - shards_start)) s" >&2

# Merged on the host, as the merge Job does.
"$bin" results merge --db "$tmp/all.sqlite" "$tmp/results/0.sqlite" "$tmp/results/1.sqlite" >&2 ||
  fail "results merge failed"
"$bin" results show --db "$tmp/all.sqlite" --campaign container-shards --json > "$tmp/merged.jsonl" ||
  fail "results show --campaign failed"
# Each scenario's id, verdict and predicted outcome, sorted by id.
python3 - "$tmp/merged.jsonl" > "$tmp/merged.txt" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in sorted(rows, key=lambda r: r["id"]):
    print(r["id"], r["verdict"], r["predicted"]["outcome"], r["observed"]["outcome"])
EOF
want="container-shards/ide agree boots boots
container-shards/virtio agree stop-0x7b stop-0x7b"
[ "$(cat "$tmp/merged.txt")" = "$want" ] ||
  fail "the merged campaign is
$(cat "$tmp/merged.txt")
expected
$want"
# Each shard ran its own share: shard K/2 of the runs has K's scenario.
shares=$("$bin" results runs --db "$tmp/all.sqlite" --json |
  python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["shard"] for l in sys.stdin if l.strip())))')
[ "$shares" = "1/2 2/2" ] || fail "the merged store's runs are shards \"$shares\", expected \"1/2 2/2\""

cleanup
trap - EXIT
left=$(podman "${podman_global[@]}" ps -a --format '{{.Names}}' | grep -F -e "${names[0]}" -e "${names[1]}" -e "${names[2]}" || true)
[ -z "$left" ] || fail "containers left: $left"
if pgrep -f "$embed" >/dev/null; then fail "a QEMU of the containers is still running: $(pgrep -af "$embed")"; fi
echo "two-shards: passed in $((SECONDS - start)) s" >&2
