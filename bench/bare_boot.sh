#!/usr/bin/env bash
# Boots a kept destination disk with bare qemu-system-x86_64 (no libvirt) and
# the job and machine of its domain XML, until the guest prints `done` or
# QEMU exits; prints "SECONDS OUTCOME". The floor every scenario is measured
# against: firmware + loader + kernel + the guest's boot phase.
#
# Usage: bench/bare_boot.sh EVIDENCE_DIR DISK [PHASE]
#   EVIDENCE_DIR  a scenario's evidence folder (PHASE.xml and PHASE.job)
#   DISK          the destination system disk the run kept (--keep)
#   PHASE         whose XML and job to use; default destination
set -euo pipefail
evidence=$1 disk=$2 phase=${3:-destination}
scratch=$(mktemp -d /var/tmp/rl-bare.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
job=$evidence/$phase.job
xml=$evidence/$phase.xml
cpus=$(sed -n "s/.*<vcpu[^>]*>\([0-9]*\)<.*/\1/p" "$xml")
mem=$(sed -n "s/.*<memory unit='MiB'>\([0-9]*\)<.*/\1/p" "$xml")
bus=$(sed -n "s/.*<target dev='[a-z]*' bus='\([a-z]*\)'.*/\1/p" "$xml" | head -1)
case $bus in
  ide) dev=(-drive "file=$disk,format=raw,if=none,id=d0" -device ide-hd,drive=d0,bus=ide.0,bootindex=1) ;;
  sata) dev=(-device ich9-ahci,id=ahci -drive "file=$disk,format=raw,if=none,id=d0" -device ide-hd,drive=d0,bus=ahci.0,bootindex=1) ;;
  virtio) dev=(-drive "file=$disk,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0,bootindex=1) ;;
  scsi) dev=(-device lsi53c895a,id=scsi -drive "file=$disk,format=raw,if=none,id=d0" -device scsi-hd,drive=d0,bus=scsi.0,bootindex=1) ;;
  *) echo "bare_boot: no disk bus in $xml" >&2; exit 2 ;;
esac
fw=()
if grep -q "<loader" "$xml"; then
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$scratch/vars.fd"
  fw=(-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
      -drive "if=pflash,format=raw,unit=1,file=$scratch/vars.fd")
fi
log=$scratch/bare.log
t0=$(date +%s.%N)
qemu-system-x86_64 -accel tcg -machine pc -cpu qemu64 -m "$mem" -smp "$cpus" -display none -monitor none \
  -no-reboot -boot reboot-timeout=0 -serial "file:$log" -device pvpanic -action panic=exit-failure \
  -fw_cfg "name=opt/org.restorelab/job,file=$job" -netdev user,id=n0,restrict=on \
  -device e1000,netdev=n0,addr=0x10,romfile= "${fw[@]}" "${dev[@]}" &
qpid=$!
while kill -0 "$qpid" 2>/dev/null; do
  grep -q '"event":"done"' "$log" 2>/dev/null && { kill "$qpid"; break; }
  sleep 0.05
done
wait "$qpid" 2>/dev/null || true
t1=$(date +%s.%N)
outcome=$(grep -o '"event":"boot","outcome":"[a-z0-9-]*"' "$log" | cut -d'"' -f8 || true)
awk -v a="$t0" -v b="$t1" -v o="${outcome:-none}" 'BEGIN {printf "%.1f %s\n", b - a, o}'
