#!/usr/bin/env bash
# `ksym lookup --vmcoreinfo` and `symbolize --vmcoreinfo` on the Debian 6.1
# cloud kernels, amd64 and arm64 (KSYM_DEBIAN_KERNEL and
# KSYM_DEBIAN_ARM64_KERNEL, see tools/test.sh): an ELF core shaped as a
# kdump kernel's /proc/vmcore (bench/vmcore_gen.py) carries the vmcoreinfo
# the kernel would write for a KASLR boot of that vmlinux (its release, the
# first 20 bytes of its build-id, SYMBOL(_stext), KERNELOFFSET and on arm64
# NUMBER(kimage_voffset)). Properties, for any kernel:
#   - lookup --vmcoreinfo CORE of moved addresses answers exactly what
#     --kaslr-offset answers, and the names the static addresses have;
#   - stderr says the dump's kernel, build-id and offset;
#   - a core of another build (one build-id byte changed) is refused.
#   debian_vmcore_test.sh KSYM VMCORE_GEN
set -euo pipefail
ksym=$1 gen=$2
if [ -z "${KSYM_DEBIAN_KERNEL:-}" ] || [ -z "${KSYM_DEBIAN_ARM64_KERNEL:-}" ]; then
  echo "SKIP: KSYM_DEBIAN_KERNEL or KSYM_DEBIAN_ARM64_KERNEL is not set"
  exit 0
fi
w=${TEST_TMPDIR:-$(mktemp -d)}
fail=0

one() {  # KERNEL_DIR MACHINE OFFSET(hex) EXTRA_VMCOREINFO_LINE
  local k=$1 machine=$2 off=$3 extra=$4
  local vmlinux release map bid stext
  vmlinux=$(ls "$k"/usr/lib/debug/boot/vmlinux-*)
  release=${vmlinux##*/vmlinux-}
  map=$k/usr/lib/debug/boot/System.map-$release
  "$ksym" build -q --no-lines --vmlinux "$vmlinux" --system-map "$map" \
    -o "$w/$machine.ksym"
  bid=$(readelf -n "$vmlinux" | awk '/Build ID:/ {print $3; exit}')
  stext=$(awk '$3 == "_stext" {print $1; exit}' "$map")
  info() {  # BUILD_ID
    printf 'OSRELEASE=%s\nBUILD-ID=%s\nPAGESIZE=4096\n' "$release" "${1:0:40}"
    printf 'SYMBOL(init_uts_ns)=%x\nSYMBOL(_stext)=%x\n' \
      $((0x$stext + 0x$off + 0x1000)) $((0x$stext + 0x$off))
    [ -n "$extra" ] && printf '%s\n' "$extra"
    printf 'KERNELOFFSET=%s\nCRASHTIME=1733580000\n' "$off"
  }
  info "$bid" | python3 "$gen" --machine "$machine" "$w/$machine.core"
  # 400 text symbols of the System.map, spread over it.
  awk '$2 == "T" || $2 == "t" {print $1}' "$map" |
    awk -v n="$(awk '$2 == "T" || $2 == "t"' "$map" | wc -l)" \
      'NR % int(n / 400 + 1) == 0' > "$w/$machine.static"
  while read -r a; do printf '%x\n' $((0x$a + 0x$off)); done \
    < "$w/$machine.static" > "$w/$machine.moved"
  "$ksym" lookup -i "$w/$machine.ksym" --vmcoreinfo "$w/$machine.core" \
    < "$w/$machine.moved" > "$w/$machine.dump.out" 2> "$w/$machine.err" || true
  "$ksym" lookup -i "$w/$machine.ksym" --kaslr-offset "$off" \
    < "$w/$machine.moved" > "$w/$machine.offset.out" || true
  "$ksym" lookup -i "$w/$machine.ksym" < "$w/$machine.static" |
    cut -d' ' -f2- > "$w/$machine.static.names" || true
  local n
  n=$(wc -l < "$w/$machine.moved")
  if [ "$n" -lt 100 ] || ! cmp -s "$w/$machine.dump.out" "$w/$machine.offset.out"; then
    echo "FAIL: $machine: --vmcoreinfo and --kaslr-offset differ ($n addresses)"
    diff "$w/$machine.dump.out" "$w/$machine.offset.out" | head -5
    fail=1
  elif ! cut -d' ' -f2- "$w/$machine.dump.out" | cmp -s - "$w/$machine.static.names"; then
    echo "FAIL: $machine: the dump's addresses are not named as the static ones"
    fail=1
  else
    echo "ok: $machine: $n dump addresses named as their static addresses"
  fi
  if grep -q "kernel $release, build-id ${bid:0:40}, KASLR offset 0x$off (KERNELOFFSET; SYMBOL(_stext) agrees)" "$w/$machine.err"; then
    echo "ok: $machine: stderr says the dump's kernel and offset"
  else
    echo "FAIL: $machine: stderr: $(cat "$w/$machine.err")"; fail=1
  fi
  # Another build of the same release: one build-id digit changed.
  local other
  other=$(printf '%s' "$bid" | tr '0-9a-f' '1-9a-f0')
  info "$other" | python3 "$gen" --machine "$machine" "$w/$machine.other.core"
  local rc=0
  "$ksym" lookup -i "$w/$machine.ksym" --vmcoreinfo "$w/$machine.other.core" \
    "$(head -1 "$w/$machine.moved")" > /dev/null 2> "$w/$machine.err" || rc=$?
  if [ "$rc" -eq 2 ] && grep -q "another build of $release" "$w/$machine.err"; then
    echo "ok: $machine: a core of another build is refused"
  else
    echo "FAIL: $machine: another build: exit $rc: $(cat "$w/$machine.err")"; fail=1
  fi
}

one "$KSYM_DEBIAN_KERNEL" x86_64 2a400000 ""
one "$KSYM_DEBIAN_ARM64_KERNEL" aarch64 2b4d4a00000 \
  "NUMBER(kimage_voffset)=0xffff7ffff4e00000"
exit $fail
