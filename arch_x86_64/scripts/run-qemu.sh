#!/usr/bin/env bash
# Boots an image in QEMU with the serial console on this terminal, the way the boot tests do, and turns the
# kernel's isa-debug-exit verdict into an ordinary exit status: 0 success, 1 failure, 2 timeout or QEMU error.
#   arch_x86_64/scripts/run-qemu.sh build/grove.iso              (GRUB, Multiboot2)
#   arch_x86_64/scripts/run-qemu.sh build/kernel/grove_kernel.elf (QEMU's own Multiboot1 loader)
# GROVE_QEMU_TIMEOUT (seconds, default 60) bounds a hung guest. The kernel writes its trace as binary records
# (core/trace/compact_record.hpp): GROVE_METAL=path/to/grove-metal shows them as JSON lines (`grove-metal expand`);
# without it the output is shown as it comes.
set -uo pipefail
image=${1:?usage: run-qemu.sh <grove.iso | kernel.elf>}
case "$image" in
  *.iso) boot=(-cdrom "$image") ;;
  *) boot=(-kernel "$image") ;;
esac
boot_qemu() {
  timeout --foreground "${GROVE_QEMU_TIMEOUT:-60}" qemu-system-x86_64 -machine q35 -cpu qemu64,+umip -m 128M \
    -display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -icount shift=0,sleep=off "${boot[@]}"
}
if [ -n "${GROVE_METAL:-}" ]; then
  boot_qemu | "$GROVE_METAL" expand
  statuses=("${PIPESTATUS[@]}")
  status=${statuses[0]}
  # A damaged trace fails a boot the kernel called a success (grove-metal expand has said why).
  if [ "$status" -eq 33 ] && [ "${statuses[1]}" -ne 0 ]; then
    echo "qemu: the kernel reported success, but its serial trace is damaged" >&2
    exit 1
  fi
else
  boot_qemu
  status=$?
fi
case $status in
  33) echo "qemu: the kernel reported success"; exit 0 ;;
  35) echo "qemu: the kernel reported failure" >&2; exit 1 ;;
  124) echo "qemu: no verdict within ${GROVE_QEMU_TIMEOUT:-60} s, stopped" >&2; exit 2 ;;
  *) echo "qemu: ended with status $status" >&2; exit 2 ;;
esac
