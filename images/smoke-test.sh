#!/usr/bin/env bash
# Boots the model guest under plain qemu-system-x86_64 (TCG, never KVM) and
# checks what each boot reports on its serial console. Prints one line per
# boot with its time, and the serial logs stay in WORK_DIR.
#
# Usage: images/smoke-test.sh [ARTIFACTS_DIR [WORK_DIR]]
#   ARTIFACTS_DIR  default /tmp/rl-images/out (built by build-image.sh if stale)
#   WORK_DIR       default /tmp/rl-images/smoke
# Exit status: 0 when every check passed, 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
art=$(realpath -m "${1:-/tmp/rl-images/out}")
work=$(realpath -m "${2:-/tmp/rl-images/smoke}")
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd

"$here/build-image.sh" "$art"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0

disk() { "$here/make-disk.sh" "$@" 2>/dev/null; }
job() {  # file key=value...
  local file=$1
  shift
  printf '%s\n' "$@" > "$file"
}

# boot NAME SECONDS FIRMWARE(bios|uefi) JOB qemu-args...
# Runs one VM until its guest prints the `done` line (then it is killed if it
# has not powered off within 2 s), until QEMU exits (power-off, pvpanic with
# -action panic=exit-failure, or SeaBIOS rebooting after finding nothing to
# boot), until OVMF starts its shell (nothing to boot), or until SECONDS pass.
# Sets $status to "done", "exit:N", "uefi-shell" or "timeout" and $seconds.
boot() {
  local name=$1 limit=$2 firmware=$3 jobfile=$4
  shift 4
  local fw=()
  if [ "$firmware" = uefi ]; then
    cp "$ovmf_vars" "$name.vars.fd"
    fw=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code"
        -drive "if=pflash,format=raw,unit=1,file=$name.vars.fd")
  fi
  rm -f "$name.log"
  local t0 pid rc
  t0=$(date +%s.%N)
  # reboot-timeout=0: SeaBIOS reboots when nothing boots, -no-reboot then ends QEMU.
  qemu-system-x86_64 -accel tcg -machine pc -m 256 -display none -monitor none -no-reboot -boot reboot-timeout=0 \
    -serial "file:$name.log" -device pvpanic -action panic=exit-failure \
    -fw_cfg "name=opt/org.restorelab/job,file=$jobfile" "${fw[@]}" "$@" &
  pid=$!
  status=timeout
  while true; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" && rc=0 || rc=$?
      status="exit:$rc"
      break
    fi
    if grep -q 'Shell> ' "$name.log" 2>/dev/null; then  # OVMF found nothing to boot
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      status=uefi-shell
      break
    fi
    if grep -q '"event":"done"' "$name.log" 2>/dev/null; then
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      status=done
      break
    fi
    if awk -v t0="$t0" -v now="$(date +%s.%N)" -v l="$limit" 'BEGIN {exit !(now - t0 > l)}'; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  seconds=$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN {printf "%.1f", now - t0}')
}

# field NAME EVENT KEY: the value of KEY in the last EVENT line of NAME.log.
field() {
  grep -a "RESTORELAB {\"event\":\"$2\"" "$1.log" | tail -1 |
    sed -n "s/.*\"$3\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | tr -d '"'
}

check() {  # description condition-result(0/1)
  if [ "$2" = 0 ]; then
    printf 'PASS  %-58s %6ss  %s\n' "$1" "$seconds" "$status"
  else
    printf 'FAIL  %-58s %6ss  %s\n' "$1" "$seconds" "$status"
    failures=$((failures + 1))
  fi
}
is() { [ "$1" = "$2" ] && echo 0 || echo 1; }

ide() { echo "-drive file=$1,format=raw,if=none,id=$2 -device ide-hd,drive=$2,bus=$3,bootindex=$4"; }
e1000() { echo "-netdev user,id=n0 -device e1000,netdev=n0,mac=52:54:00:00:00:01,addr=0x3,romfile="; }

# 1. A BIOS system disk on SeaBIOS with IDE: install (ACPI uniprocessor HAL), then boot.
disk system "$art" sys-ide.img --firmware bios --drivers ide
disk backup "$art" backup-1.img
job install.job phase=install,boot scenario=smoke-ide machine.hal=acpi-uniprocessor machine.storage_drivers=ide \
  os.version=windows-server-2003 os.edition=standard os.service_pack=1
# shellcheck disable=SC2046
boot bios-ide 60 bios install.job -smp 1 $(ide sys-ide.img d0 ide.0 1) $(e1000)
check "bios+ide installs and boots (outcome boots)" "$(is "$(field bios-ide boot outcome)" boots)"

# 2. The same disk behind virtio-blk: only the IDE driver is boot-start.
job boot.job phase=boot scenario=smoke-ide machine.hal=acpi-uniprocessor
# shellcheck disable=SC2046
boot virtio-7b 60 bios boot.job -smp 1 \
  -drive file=sys-ide.img,format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,addr=0x5,bootindex=1 $(e1000)
check "same disk on virtio-blk: Stop 0x7B + pvpanic" \
  "$( [ "$(field virtio-7b boot outcome)" = stop-0x7b ] && [ "$status" = exit:1 ] && grep -q 'STOP: 0x0000007B' virtio-7b.log; echo $?)"

# 3. The uniprocessor-HAL disk on four processors: the kernel starts on one.
job boot-mp.job phase=boot scenario=smoke-ide machine.hal=acpi-multiprocessor
# shellcheck disable=SC2046
boot up-on-smp4 60 bios boot-mp.job -smp 4 $(ide sys-ide.img d0 ide.0 1) $(e1000)
check "UP HAL on -smp 4: 1 cpu online, boots-degraded" \
  "$( [ "$(field up-on-smp4 boot cpus_online)" = 1 ] && [ "$(field up-on-smp4 boot cpus_present)" = 4 ] &&
      [ "$(field up-on-smp4 boot outcome)" = boots-degraded ]; echo $?)"

# 4. The BIOS disk on OVMF: no UEFI loader on it, nothing starts.
# shellcheck disable=SC2046
boot bios-on-ovmf 60 uefi boot.job -smp 1 $(ide sys-ide.img d0 ide.0 1)
check "BIOS disk on OVMF: nothing boots (UEFI shell, no RESTORELAB)" \
  "$( [ "$status" = uefi-shell ] && ! grep -q RESTORELAB bios-on-ovmf.log; echo $?)"

# 5. A UEFI system disk (GPT + ESP, systemd-boot) on OVMF with AHCI, and on SeaBIOS.
disk system "$art" sys-uefi.img --firmware uefi --drivers sata
job install-uefi.job phase=install,boot scenario=smoke-uefi os.version=windows-7 os.edition=professional
sata="-device ich9-ahci,id=ahci,addr=0x6 -drive file=sys-uefi.img,format=raw,if=none,id=d0 -device ide-hd,drive=d0,bus=ahci.0,bootindex=1"
# shellcheck disable=SC2086,SC2046
boot uefi-sata 90 uefi install-uefi.job -smp 2 $sata $(e1000)
check "uefi+sata installs and boots on OVMF" "$(is "$(field uefi-sata boot outcome)" boots)"
# shellcheck disable=SC2086,SC2046
boot uefi-on-seabios 30 bios boot.job -smp 1 $sata $(e1000)
check "UEFI disk on SeaBIOS: nothing boots (SeaBIOS gives up)" \
  "$( [ "$status" = exit:0 ] && ! grep -q RESTORELAB uefi-on-seabios.log; echo $?)"

# 6. A system-state chain (ws2003 ACPI uniprocessor, IDE -> ACPI multiprocessor, 4 CPUs, IDE):
#    source install+backup, destination install+restore, destination boot.
os="os.version=windows-server-2003 os.edition=standard os.service_pack=1"
disk system "$art" src.img --firmware bios --drivers ide
disk system "$art" dst.img --firmware bios --drivers ide
disk backup "$art" backup-ss.img
# shellcheck disable=SC2086
job src.job phase=install,backup scenario=acpi-up-to-acpi-mp machine.hal=acpi-uniprocessor \
  machine.storage_drivers=ide backup.kind=system-state $os
# shellcheck disable=SC2086
job dst-restore.job phase=install,restore-system-state scenario=acpi-up-to-acpi-mp machine.hal=acpi-multiprocessor \
  machine.storage_drivers=ide restore.kind=system-state $os
job dst-boot.job phase=boot scenario=acpi-up-to-acpi-mp machine.hal=acpi-multiprocessor
total=0
# shellcheck disable=SC2046
boot chain-source 60 bios src.job -smp 1 $(ide src.img d0 ide.0 1) $(ide backup-ss.img d1 ide.1 2) $(e1000)
check "chain: source install + system-state backup" "$(is "$(field chain-source backup kind)" system-state)"
total=$(awk -v a="$total" -v b="$seconds" 'BEGIN {print a + b}')
# shellcheck disable=SC2046
boot chain-restore 60 bios dst-restore.job -smp 4 $(ide dst.img d0 ide.0 1) $(ide backup-ss.img d1 ide.1 2) $(e1000)
check "chain: destination install + system-state restore" "$(is "$(field chain-restore restore outcome)" restored)"
total=$(awk -v a="$total" -v b="$seconds" 'BEGIN {print a + b}')
# shellcheck disable=SC2046
boot chain-boot 60 bios dst-boot.job -smp 4 $(ide dst.img d0 ide.0 1) $(e1000)
check "chain: destination boots-degraded on 1 of 4 cpus" \
  "$( [ "$(field chain-boot boot outcome)" = boots-degraded ] && [ "$(field chain-boot boot cpus_online)" = 1 ]; echo $?)"
total=$(awk -v a="$total" -v b="$seconds" 'BEGIN {print a + b}')
echo "chain total: ${total}s (source + restore + destination boots)"

# 7. A BMR chain with ASR (ws2003, BIOS, IDE -> virtio-blk): source install+backup
#    of the disk image, the recovery environment (kernel started by QEMU, as
#    restorelab starts it) restores onto a blank disk of the destination and
#    re-detects the storage driver, the destination boots from virtio.
disk system "$art" bmr-src.img --firmware bios --drivers ide
disk backup "$art" backup-bmr.img
disk initrd "$art" recovery.initrd --drivers ide,sata,scsi,virtio --tools
disk blank "$art" bmr-dst.img
# shellcheck disable=SC2086
job bmr-src.job phase=install,backup scenario=bmr-asr machine.hal=acpi-uniprocessor machine.storage_drivers=ide \
  backup.kind=bmr $os
job bmr-recover.job phase=recover scenario=bmr-asr machine.hal=acpi-uniprocessor restore.kind=bmr restore.asr=true
job bmr-boot.job phase=boot scenario=bmr-asr machine.hal=acpi-uniprocessor
virtio_dst="-drive file=bmr-dst.img,format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,addr=0x5"
# shellcheck disable=SC2046
boot bmr-source 90 bios bmr-src.job -smp 1 $(ide bmr-src.img d0 ide.0 1) $(ide backup-bmr.img d1 ide.1 2) $(e1000)
check "bmr: source install + disk-image backup" "$(is "$(field bmr-source backup kind)" bmr)"
# shellcheck disable=SC2046,SC2086
boot bmr-recover 90 bios bmr-recover.job -smp 1 -kernel "$art/vmlinux" -initrd recovery.initrd \
  -append "console=ttyS0,115200 quiet loglevel=0 rl.disk=recovery rl.boot=direct" \
  $(ide backup-bmr.img d1 ide.1 2) $virtio_dst,bootindex=3 $(e1000)
check "bmr: the recovery environment restores with ASR onto virtio" \
  "$( [ "$(field bmr-recover restore outcome)" = restored ] && [ "$(field bmr-recover restore target_bus)" = virtio ]; echo $?)"
# shellcheck disable=SC2046,SC2086
boot bmr-boot 60 bios bmr-boot.job -smp 1 $virtio_dst,bootindex=1 $(e1000)
check "bmr: destination boots from virtio-blk" "$(is "$(field bmr-boot boot outcome)" boots)"

# 8. A full-server restore onto a larger UEFI disk (windows-server-2012, GPT):
#    the block-level image of the source's 32 MiB disk is restored onto the
#    destination's own 64 MiB installation; the partitions stay where they
#    were, the rest is unallocated and the GPT's backup table moves to the
#    disk's end (sgdisk -v finds no problem); OVMF and systemd-boot start it.
os12="os.version=windows-server-2012 os.edition=standard"
disk system "$art" big-src.img --firmware uefi --drivers ide
disk system "$art" big-dst.img --firmware uefi --drivers ide --size 64
disk backup "$art" backup-big.img
# shellcheck disable=SC2086
job big-src.job phase=install,backup scenario=larger-disk machine.storage_drivers=ide backup.kind=full-server $os12
# shellcheck disable=SC2086
job big-reset.job phase=install scenario=larger-disk machine.storage_drivers=ide $os12
job big-recover.job phase=recover scenario=larger-disk restore.kind=full-server
job big-boot.job phase=boot scenario=larger-disk
# shellcheck disable=SC2046
boot big-source 120 uefi big-src.job -smp 1 $(ide big-src.img d0 ide.0 1) $(ide backup-big.img d1 ide.1 2) $(e1000)
check "larger disk: source install + full-server image backup" "$(is "$(field big-source backup kind)" full-server)"
# shellcheck disable=SC2046
boot big-reset 120 uefi big-reset.job -smp 1 $(ide big-dst.img d0 ide.0 1) $(e1000)
check "larger disk: the destination's own installation on 64 MiB" "$(is "$(field big-reset installed firmware)" uefi)"
# shellcheck disable=SC2046
boot big-recover 120 uefi big-recover.job -smp 1 -kernel "$art/vmlinuz" -initrd recovery.initrd \
  -append "console=ttyS0,115200 quiet loglevel=0 rl.disk=recovery rl.boot=direct" \
  $(ide big-dst.img d0 ide.0 3) $(ide backup-big.img d1 ide.1 2) $(e1000)
check "larger disk: restored block for block, 32 MiB unallocated" \
  "$( [ "$(field big-recover restore outcome)" = restored ] &&
      [ "$(field big-recover restore unallocated_bytes)" = 33554432 ] &&
      [ "$(field big-recover restore gpt_backup_moved)" = true ]; echo $?)"
check "larger disk: sgdisk -v finds no problem in the restored GPT" \
  "$(sgdisk -v big-dst.img | grep -q '^No problems found'; echo $?)"
# shellcheck disable=SC2046
boot big-boot 90 uefi big-boot.job -smp 1 $(ide big-dst.img d0 ide.0 1) $(e1000)
check "larger disk: the destination boots through OVMF + systemd-boot" "$(is "$(field big-boot boot outcome)" boots)"

if [ "$failures" -ne 0 ]; then
  echo "smoke-test: $failures check(s) failed; serial logs in $work" >&2
  exit 1
fi
echo "smoke-test: all checks passed; serial logs in $work" >&2
