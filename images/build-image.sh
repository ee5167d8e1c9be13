#!/usr/bin/env bash
# Builds the model guest's cached base artifacts into OUT_DIR (see README.md):
# the kernel (as packaged, and uncompressed for direct PVH boot), initramfs
# pieces (base, one per storage driver, tools), boot loader files, busybox,
# the guest program and a manifest.
#
# Usage: images/build-image.sh OUT_DIR
#        images/build-image.sh --adopt OUT_DIR
# --adopt: OUT_DIR was built by this script on another machine from these
# sources (ci/container/Containerfile.prebuilt copies a host's into its
# image, where apt has no package lists to ask): marks it up to date here
# without asking apt, until this machine's apt or dpkg state changes.
#
# Nothing is mounted and nothing is installed on the host: Debian packages are
# fetched with `apt-get download` and unpacked with `dpkg-deb -x`. The inputs
# (this script, the guest sources, the package versions apt resolves) are
# hashed; when OUT_DIR/stamp holds the same hash the call does nothing.
# Needs: apt-get, dpkg-deb, cpio, zstd, xz, readelf, g++ (ci/setup.sh installs them).
set -euo pipefail

adopt=0
if [ $# -eq 2 ] && [ "$1" = --adopt ]; then
  adopt=1
  shift
fi
if [ $# -ne 1 ]; then
  echo "usage: $0 [--adopt] OUT_DIR" >&2
  exit 2
fi
out=$(realpath -m "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
start=$(date +%s.%N)
log() { echo "build-image: $*" >&2; }
elapsed() { echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}'; }

# Packages: the generic kernel (not -cloud: it lacks AHCI, e1000, 8139 and MP
# tables), busybox, syslinux for BIOS disks, systemd-boot for UEFI disks.
kernel_meta=linux-image-amd64
other_packages=(busybox-static syslinux syslinux-common systemd-boot-efi)

# Modules every system initramfs loads (file systems, NIC drivers for the
# adapter binding, virtio's PCI transport) and those of each boot-start
# storage driver. Dependencies are added from each module's modinfo.
base_modules=(crc32c_generic ext4 nls_cp437 nls_ascii vfat virtio_pci)
nic_modules=(e1000 8139cp 8139too virtio_net)
declare -A driver_modules=(
  [ide]="ata_piix sd_mod"
  [sata]="ahci sd_mod"
  [scsi]="virtio_scsi sym53c8xx sd_mod"
  [virtio]="virtio_blk"
)
# The modules among those that drive a controller: the rest of a driver's
# list (the SCSI core, libata, sd_mod, CRC helpers) drives no hardware and
# touches no disk until one of these finds one, so the guest loads it before
# the warm starts' ready point (etc/rl/storage-core/<bus>.modules).
declare -A driver_controllers=(
  [ide]="ata_piix"
  [sata]="ahci"
  [scsi]="virtio_scsi sym53c8xx"
  [virtio]="virtio_blk"
)

# Fast path: asking apt for versions costs ~2 s (three apt-cache runs), so
# when neither these inputs nor apt's package lists and dpkg's database have
# changed since the last check, the versions cannot have changed either.
# This script, the guest sources (paths relative to the checkout: two
# checkouts of one commit share the image) and the module lists.
sources=$(
  (cd "$repo" && sha256sum images/build-image.sh images/guest/*.cc images/guest/*.h)
  declare -p base_modules nic_modules driver_modules driver_controllers
)
local_inputs=$(
  {
    echo "$sources"
    # A pattern that matches nothing (no package lists, as in a container
    # image) is part of the state, not a failure.
    stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* /var/lib/dpkg/status /etc/apt/preferences* \
      /etc/apt/sources.list* 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
)
if [ "$adopt" = 1 ]; then
  [ -f "$out/stamp" ] || { log "$out holds no built artifacts (no stamp) to adopt"; exit 2; }
  echo "$local_inputs" > "$out/checked"
  log "adopted $out (inputs $(cat "$out/stamp"))"
  exit 0
fi
if [ -f "$out/stamp" ] && [ -f "$out/checked" ] && [ "$(cat "$out/checked")" = "$local_inputs" ]; then
  log "up to date ($out, apt unchanged since the last check) in $(elapsed)s"
  exit 0
fi

# The versions apt would install now (one apt-cache call for speed).
declare -A versions=()
while read -r p v; do versions[$p]=$v; done < <(
  apt-cache policy "$kernel_meta" "${other_packages[@]}" |
    awk '/^[^ ].*:$/ {sub(":$", ""); p=$0} /Candidate:/ {print p, $2}')
kernel_package=$(apt-cache depends "$kernel_meta=${versions[$kernel_meta]:-none}" 2>/dev/null |
  awk '/Depends: linux-image-/ {print $2; exit}')
if [ -z "$kernel_package" ]; then
  log "cannot resolve $kernel_meta (run apt-get update)"
  exit 1
fi
versions[$kernel_package]=$(apt-cache policy "$kernel_package" | awk '/Candidate:/ {print $2}')
packages=("$kernel_package" "${other_packages[@]}")
for p in "${packages[@]}"; do
  [ -n "${versions[$p]:-}" ] && [ "${versions[$p]}" != "(none)" ] || { log "no candidate for $p"; exit 1; }
done

inputs_hash=$(
  {
    echo "$sources"
    for p in "${packages[@]}"; do echo "$p=${versions[$p]}"; done
  } | sha256sum | cut -d' ' -f1
)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$inputs_hash" ]; then
  echo "$local_inputs" > "$out/checked"
  log "up to date ($out, inputs $inputs_hash) in $(elapsed)s"
  exit 0
fi

work="$out/.work"
rm -rf "$work" "$out/checked"
mkdir -p "$out/.debs" "$work/x"

log "downloading ${packages[*]}"
for p in "${packages[@]}"; do
  if ! ls "$out/.debs/${p}_"*.deb >/dev/null 2>&1 || ! ls "$out/.debs/${p}_"*.deb | grep -qF "$(echo "${versions[$p]}" | sed 's/:/%3a/')"; then
    rm -f "$out/.debs/${p}_"*.deb
    (cd "$out/.debs" && apt-get download -q -o APT::Sandbox::User=root "$p=${versions[$p]}" >&2)
  fi
done
for deb in "$out/.debs/"*.deb; do dpkg-deb -x "$deb" "$work/x"; done

x="$work/x"
kver=$(basename "$(ls -d "$x"/lib/modules/*/ | head -1)")
moddir="$x/lib/modules/$kver"
log "kernel $kver"

# name -> .ko path, with '-' and '_' treated alike as modprobe does.
declare -A ko_path=()
while IFS= read -r f; do
  n=$(basename "$f" .ko)
  ko_path[${n//-/_}]=$f
done < <(find "$moddir/kernel" -name '*.ko')

module_depends() {
  tr '\0' '\n' < "${ko_path[$1]}" | sed -n 's/^depends=//p' | head -1 | tr ',' '\n' | sed '/^$/d; s/-/_/g'
}

# Appends $1 and its dependencies (dependencies first) to the array named $2,
# skipping modules already in the array named $3 (if given).
declare -A seen=()
add_module() {
  local name=${1//-/_} list=$2
  [ -n "${seen[$name]:-}" ] && return 0
  [ -n "${ko_path[$name]:-}" ] || { log "module $name not in $kernel_package"; exit 1; }
  seen[$name]=1
  local dep
  for dep in $(module_depends "$name"); do add_module "$dep" "$list"; done
  eval "$list+=(\"\$name\")"
}

# Writes a newc cpio of directory $1 into $2, zstd-compressed, reproducibly.
make_cpio() {
  find "$1" -exec touch -h -d @0 {} +
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) | zstd -q -19 -T0 > "$2"
}

# Stages modules into $1/lib/modules/rl and writes their load order to $2.
stage_modules() {
  local root=$1 list=$2 m
  shift 2
  mkdir -p "$root/lib/modules/rl" "$(dirname "$root/$list")"
  : > "$root/$list"
  for m in "$@"; do
    cp "${ko_path[$m]}" "$root/lib/modules/rl/$m.ko"
    echo "$m.ko" >> "$root/$list"
  done
}

log "building the guest program"
mkdir -p "$out/initrd/drivers" "$out/bios" "$out/efi"
mkdir -p "$work/obj"
for src in "$repo"/images/guest/*.cc; do
  echo "$src"
done | xargs -P "$(nproc)" -I{} sh -c 'g++ -std=c++23 -O2 -Wall -Wextra -I"$1" -c "$2" -o "$3/$(basename "$2" .cc).o"' _ "$repo" {} "$work/obj"
g++ -static -s -o "$work/restorelab-guest" "$work"/obj/*.o
cp "$work/restorelab-guest" "$out/restorelab-guest"

log "building initramfs images"
base=()
for m in "${base_modules[@]}"; do add_module "$m" base; done
root="$work/base"
mkdir -p "$root"/{proc,sys,dev,mnt,etc/rl/drivers}
cp "$work/restorelab-guest" "$root/init"
stage_modules "$root" etc/rl/base.modules "${base[@]}"
nic=()
for m in "${nic_modules[@]}"; do add_module "$m" nic; done
stage_modules "$root" etc/rl/nic.modules "${nic[@]}"
make_cpio "$root" "$out/initrd/base.img"

for bus in ide sata scsi virtio; do
  mods=()
  for m in ${driver_modules[$bus]}; do
    # a fresh 'seen' holding only the base set: shared storage modules
    # (libata, scsi_mod, sd_mod) go into every driver image that needs them
    unset seen; declare -A seen=(); for b in "${base[@]}" "${nic[@]}"; do seen[$b]=1; done
    for already in "${mods[@]}"; do seen[$already]=1; done
    add_module "$m" mods
  done
  root="$work/drv-$bus"
  mkdir -p "$root"
  stage_modules "$root" "etc/rl/drivers/$bus.modules" "${mods[@]}"
  core=()
  for m in "${mods[@]}"; do
    case " ${driver_controllers[$bus]} " in *" $m "*) ;; *) core+=("$m") ;; esac
  done
  mkdir -p "$root/etc/rl/storage-core"
  printf '%s.ko\n' "${core[@]}" | sed '/^\.ko$/d' > "$root/etc/rl/storage-core/$bus.modules"
  make_cpio "$root" "$out/initrd/drivers/$bus.img"
done

root="$work/tools"
mkdir -p "$root/bin"
cp "$x/bin/busybox" "$root/bin/busybox"
make_cpio "$root" "$out/initrd/tools.img"

log "copying kernel, boot loaders and busybox"
cp "$x/boot/vmlinuz-$kver" "$out/vmlinuz"

# The same kernel uncompressed, for the VMs that start it directly (PVH entry,
# SeaBIOS machines): it saves the ~2.4 s the kernel spends decompressing
# itself under TCG. The bzImage header says where the XZ payload is:
# setup_sects at 0x1f1, payload_offset/payload_length at 0x248/0x24c, the
# offset counted from the protected-mode code at (setup_sects + 1) * 512.
header_u32() { od -An -t u4 -j "$1" -N 4 "$out/vmlinuz" | tr -d ' '; }
setup_sects=$(od -An -t u1 -j $((0x1f1)) -N 1 "$out/vmlinuz" | tr -d ' ')
payload_start=$(( (setup_sects + 1) * 512 + $(header_u32 $((0x248))) ))
payload_length=$(header_u32 $((0x24c)))
dd if="$out/vmlinuz" iflag=skip_bytes,count_bytes skip="$payload_start" count="$payload_length" \
  bs=1M status=none | xz -dc --single-stream > "$work/vmlinux" ||
  { log "cannot unpack the kernel payload (not an XZ bzImage?)"; exit 1; }
# QEMU starts an ELF kernel only through its PVH note (XEN_ELFNOTE_PHYS32_ENTRY, 18).
readelf -n "$work/vmlinux" | grep -q 'Unknown note type: (0x00000012)' ||
  { log "the unpacked kernel has no PVH entry note; it cannot be started directly"; exit 1; }
mv "$work/vmlinux" "$out/vmlinux"
cp "$x/bin/busybox" "$out/busybox"
cp "$x/usr/lib/syslinux/mbr/mbr.bin" "$out/bios/mbr.bin"
cp "$x/usr/lib/syslinux/modules/bios/ldlinux.c32" "$out/bios/ldlinux.c32"
cp "$x/usr/bin/syslinux" "$out/bios/syslinux"
cp "$x/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$out/efi/systemd-bootx64.efi"

{
  echo "# restorelab model guest artifacts: path size sha256"
  echo "inputs_hash=$inputs_hash"
  echo "kernel_release=$kver"
  for p in "${packages[@]}"; do echo "package.$p=${versions[$p]}"; done
  echo "modules.base=${base[*]}"
  echo "modules.nic=${nic[*]}"
  for bus in ide sata scsi virtio; do
    echo "modules.$bus=$(tr '\n' ' ' < "$work/drv-$bus/etc/rl/drivers/$bus.modules" | sed 's/\.ko//g; s/ $//')"
  done
  (cd "$out" && find vmlinuz vmlinux busybox restorelab-guest initrd bios efi -type f | LC_ALL=C sort |
    while read -r f; do echo "file.$f=$(stat -c %s "$f") $(sha256sum "$f" | cut -d' ' -f1)"; done)
} > "$out/manifest.txt"

rm -rf "$work"
echo "$inputs_hash" > "$out/stamp"
echo "$local_inputs" > "$out/checked"
log "built $out in $(elapsed)s"
