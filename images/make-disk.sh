#!/usr/bin/env bash
# Builds one raw disk image for a model-guest VM from the artifacts of
# build-image.sh, in about a second, without mounting anything.
#
# Usage:
#   images/make-disk.sh system   ARTIFACTS OUT.img --firmware bios|uefi --drivers BUS[,BUS...] [--uniprocessor] [--size MIB]
#   images/make-disk.sh initrd   ARTIFACTS OUT.img --drivers BUS[,BUS...] [--tools]
#   images/make-disk.sh backup   ARTIFACTS OUT.img
#   images/make-disk.sh blank    ARTIFACTS OUT.img [--size MIB]
#
# system:   32 MiB. bios: MBR (syslinux mbr.bin), p1 FAT16 "RL-BOOT" (active,
#           syslinux), p2 ext4 "RL-SYSTEM". uefi: GPT with the same two
#           partitions, p1 an EFI system partition with systemd-boot as
#           \EFI\BOOT\BOOTX64.EFI; the protective MBR carries mbr.bin, which
#           finds no active partition, so SeaBIOS moves on ("no bootable device").
#           The kernel, base.img and every driver image are in
#           /C/WINDOWS/system32 (drivers in drivers/) of the boot volume, below
#           setup's systemroot; the loader loads the
#           kernel, base.img and drivers/<BUS>.img for each --drivers bus (the
#           boot-start drivers). The install phase moves the folder below its
#           systemroot, writes the installation and recompiles the loader config.
# initrd:   not a disk: the initramfs a loader would load (base.img, the
#           driver images of --drivers, tools.img with --tools), concatenated
#           and 4-byte aligned, for a VM whose kernel the hypervisor starts
#           directly (the source, restore, recovery and reset VMs; README.md).
# backup:   64 MiB, ext4 "RL-BACKUP" on the whole disk, empty.
# blank:    32 MiB of zeros: the destination disk a bare-metal recovery fills.
# --size:   system and blank disks of MIB MiB instead of 32 (a system disk at
#           least 32: its partitions stay where they are, the rest is
#           unallocated; a GPT's backup table is at the end of the disk).
#
# Needs: sfdisk, sgdisk, mkfs.fat, mtools, mke2fs (ci/setup.sh installs them).
set -euo pipefail

usage() {
  sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[ $# -ge 3 ] || usage
kind=$1
art=$(realpath "$2")
out=$(realpath -m "$3")
shift 3
firmware=bios
drivers=
uniprocessor=0
tools=0
size=32
while [ $# -gt 0 ]; do
  case $1 in
    --firmware) firmware=$2; shift 2 ;;
    --drivers) drivers=$2; shift 2 ;;
    --uniprocessor) uniprocessor=1; shift ;;
    --tools) tools=1; shift ;;
    --size) size=$2; shift 2 ;;
    *) echo "make-disk: unknown option $1" >&2; usage ;;
  esac
done
[ -f "$art/stamp" ] || { echo "make-disk: $art has no artifacts (run images/build-image.sh $art)" >&2; exit 1; }
case $firmware in bios|uefi) ;; *) echo "make-disk: --firmware must be bios or uefi, got '$firmware'" >&2; exit 2 ;; esac
case $size in ''|*[!0-9]*) echo "make-disk: --size must be a number of MiB, got '$size'" >&2; exit 2 ;; esac
min_size=1
[ "$kind" = system ] && min_size=32
[ "$size" -ge "$min_size" ] || { echo "make-disk: a $kind disk needs --size $min_size or more, got $size" >&2; exit 2; }

start=$(date +%s.%N)
rm -f "$out.tmp"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rl-disk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null
export E2FSPROGS_FAKE_TIME=946684800 SOURCE_DATE_EPOCH=946684800

MiB=1048576
# The loader's files: below setup's systemroot, C:\WINDOWS (boot_config.h LoaderFolder).
folder=/C/WINDOWS/system32
sectors() { echo $(( $1 * MiB / 512 )); }

# Canonical driver list (ide, sata, scsi, virtio order), as the guest writes it.
canonical_drivers() {
  local want=",$1," bus list=()
  for bus in ide sata scsi virtio; do
    case $want in *",$bus,"*) list+=("$bus") ;; esac
  done
  for bus in ${1//,/ }; do
    case $bus in ide|sata|scsi|virtio) ;; *) echo "make-disk: unknown disk bus '$bus' (ide, sata, scsi, virtio)" >&2; exit 2 ;; esac
  done
  echo "${list[*]}"
}

# Loader config in the format of images/guest/boot_config.cc (RenderBootConfig).
cmdline() {
  local line="console=ttyS0,115200 quiet loglevel=0 rl.disk=$1"
  [ "$2" = 1 ] && line+=" nosmp"
  echo "$line"
}
initrds() {  # role, buses..., [tools]
  local bus
  echo /base.img
  for bus in $2; do echo "/drivers/$bus.img"; done
  [ "$1" = recovery ] && echo /tools.img
  return 0
}
write_syslinux_cfg() {  # file role buses uniprocessor
  {
    echo "DEFAULT restorelab"
    echo "PROMPT 0"
    echo "TIMEOUT 0"
    echo "LABEL restorelab"
    echo "  LINUX $folder/vmlinuz"
    echo "  INITRD $(initrds "$2" "$3" | sed "s|^|$folder|" | paste -sd,)"
    echo "  APPEND $(cmdline "$2" "$4")"
  } > "$1"
}
write_loader() {  # dir role buses uniprocessor
  mkdir -p "$1/entries"
  printf 'timeout 0\ndefault restorelab.conf\neditor no\nauto-entries no\nauto-firmware no\n' > "$1/loader.conf"
  {
    echo "title restorelab"
    echo "linux $folder/vmlinuz"
    initrds "$2" "$3" | sed "s|^|initrd $folder|"
    echo "options $(cmdline "$2" "$4")"
  } > "$1/entries/restorelab.conf"
}

# A FAT16 image of $2 MiB labelled $3 holding the kernel and every driver
# image in $folder (the install phase moves them below its systemroot).
make_fat() {
  local img=$1 size=$2 label=$3
  mkfs.fat -F 16 -n "$label" -i 52455354 -C "$img" $(( size * 1024 )) >/dev/null
  mmd -i "$img" ::/C ::/C/WINDOWS "::$folder" "::$folder/drivers"
  mcopy -i "$img" "$art/vmlinuz" "$art/initrd/base.img" "::$folder/"
  mcopy -i "$img" "$art"/initrd/drivers/*.img "::$folder/drivers/"
}
install_syslinux() {  # fat image
  "$art/bios/syslinux" --install "$1"
  mcopy -o -i "$1" "$art/bios/ldlinux.c32" ::/ldlinux.c32
}
install_systemd_boot() {  # fat image, role, buses, uniprocessor
  mmd -i "$1" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
  mcopy -i "$1" "$art/efi/systemd-bootx64.efi" ::/EFI/BOOT/BOOTX64.EFI
  write_loader "$tmp/loader" "$2" "$3" "$4"
  mcopy -i "$1" "$tmp/loader/loader.conf" ::/loader/
  mcopy -i "$1" "$tmp/loader/entries/restorelab.conf" ::/loader/entries/
}
place() {  # image partition-image start-MiB
  dd if="$2" of="$1" bs=$MiB seek="$3" conv=notrunc,sparse status=none
}

case $kind in
  system)
    buses=$(canonical_drivers "$drivers")
    [ -n "$buses" ] || { echo "make-disk: system disks need --drivers (ide, sata, scsi, virtio)" >&2; exit 2; }
    truncate -s "${size}M" "$out.tmp"
    make_fat "$tmp/boot.img" 16 RL-BOOT
    if [ "$firmware" = bios ]; then
      printf 'label: dos\nlabel-id: 0x52455354\nstart=%s, size=%s, type=6, bootable\nstart=%s, size=%s, type=83\n' \
        "$(sectors 1)" "$(sectors 16)" "$(sectors 17)" "$(sectors 8)" | sfdisk -q "$out.tmp"
      install_syslinux "$tmp/boot.img"
      write_syslinux_cfg "$tmp/syslinux.cfg" system "$buses" "$uniprocessor"
      mcopy -i "$tmp/boot.img" "$tmp/syslinux.cfg" ::/
    else
      sgdisk -o -U 52455354-0000-4000-8000-000000000000 \
        -n "1:$(sectors 1):+16M" -t 1:ef00 -c 1:ESP -u 1:52455354-0000-4000-8000-000000000001 \
        -n "2:$(sectors 17):+8M" -t 2:8300 -c 2:system -u 2:52455354-0000-4000-8000-000000000002 "$out.tmp" >/dev/null
      install_systemd_boot "$tmp/boot.img" system "$buses" "$uniprocessor"
    fi
    dd if="$art/bios/mbr.bin" of="$out.tmp" bs=440 count=1 conv=notrunc status=none
    mkdir -p "$tmp/root"
    mke2fs -q -F -t ext4 -L RL-SYSTEM -U 52455354-0000-4000-8000-0000000000e4 \
      -E root_owner=0:0,hash_seed=52455354-0000-4000-8000-0000000000e4 -d "$tmp/root" "$tmp/system.img" 8M >/dev/null
    place "$out.tmp" "$tmp/boot.img" 1
    place "$out.tmp" "$tmp/system.img" 17
    ;;
  initrd)
    buses=$(canonical_drivers "$drivers")
    [ -n "$buses" ] || { echo "make-disk: an initrd needs --drivers (ide, sata, scsi, virtio)" >&2; exit 2; }
    role=system
    [ "$tools" = 1 ] && role=recovery
    : > "$out.tmp"
    # Each piece starts 4-byte aligned, as loaders place them; the kernel
    # skips the zero padding between compressed cpio archives.
    initrds "$role" "$buses" | while read -r piece; do
      cat "$art/initrd$piece" >> "$out.tmp"
      pad=$(( (4 - $(stat -c %s "$out.tmp") % 4) % 4 ))
      head -c "$pad" /dev/zero >> "$out.tmp"
    done
    ;;
  backup)
    mkdir -p "$tmp/root"
    mke2fs -q -F -t ext4 -L RL-BACKUP -U 52455354-0000-4000-8000-0000000000b0 \
      -E root_owner=0:0,hash_seed=52455354-0000-4000-8000-0000000000b0 -d "$tmp/root" "$out.tmp" 64M >/dev/null
    ;;
  blank)
    truncate -s "${size}M" "$out.tmp"
    ;;
  *) usage ;;
esac
mv "$out.tmp" "$out"
echo "make-disk: $kind $out in $(echo "$(date +%s.%N) $start" | awk '{printf "%.2f", $1 - $2}')s" >&2
