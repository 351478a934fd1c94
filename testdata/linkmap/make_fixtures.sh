#!/bin/bash
# Builds the linker map fixtures with the system toolchain, the way kbuild
# links vmlinux: objects under their kbuild paths, a thin vmlinux.a at the top
# (kernels 6.1+), thin per-directory built-in.a archives (kernels 4.13-6.0),
# an ordinary lib/lib.a pulled in by reference, and the vmlinux.o route
# (`ld -r` first, then the final link) that CONFIG_X86_KERNEL_IBT and
# CONFIG_LTO_CLANG kernels take. Each link is done with GNU ld and ld.lld.
#
#   make_fixtures.sh SRCDIR OUTDIR
#
# Writes OUTDIR/{gnu,lld}_{vmlinux_a,builtin,vmlinux_o,i386}.{map,nm} (the
# map and an `nm -l` listing of the linked image, in which source paths read
# /build/<path>.c) and OUTDIR/{gnu,lld}_vmlinux_o_r.map (the `ld -r` map).
set -euo pipefail
src=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/linkmap.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p init fs/ext4 kernel/sched lib arch/x86/kernel
for f in init/main.c fs/ext4/super.c fs/ext4/inode.c kernel/sched/core.c \
    lib/ctype.c arch/x86/kernel/i386.c; do
  cp "$src/$f" "$f"
done
cflags="-g -O2 -fno-pie -mcmodel=kernel -fno-asynchronous-unwind-tables
    -fdebug-prefix-map=$work=/build"
gcc $cflags -c init/main.c -o init/main.o
gcc $cflags -ffunction-sections -fdata-sections -c fs/ext4/super.c \
    -o fs/ext4/super.o
gcc $cflags -ffunction-sections -fdata-sections -c fs/ext4/inode.c \
    -o fs/ext4/inode.o
gcc $cflags -c kernel/sched/core.c -o kernel/sched/core.o
gcc $cflags -ffunction-sections -fdata-sections -c lib/ctype.c -o lib/ctype.o
gcc -m32 -g -O2 -fno-pie -ffunction-sections -fno-asynchronous-unwind-tables \
    -fdebug-prefix-map="$work=/build" -c arch/x86/kernel/i386.c \
    -o arch/x86/kernel/i386.o

# kbuild: `$(AR) cDPrST` for built-in.a and vmlinux.a, `$(AR) cDPrsT` or
# (before 4.13) `$(AR) rcs` for lib.a.
ar cDPrST vmlinux.a init/main.o fs/ext4/super.o fs/ext4/inode.o \
    kernel/sched/core.o
ar cDPrST init/built-in.a init/main.o
ar cDPrST fs/built-in.a fs/ext4/super.o fs/ext4/inode.o
ar cDPrST kernel/built-in.a kernel/sched/core.o
ar rcs lib/lib.a lib/ctype.o

lds="$src/vmlinux.lds"
for linker in gnu lld; do
  if [ "$linker" = gnu ]; then
    # As the kernel passes it to binutils 2.39+ (scripts/Makefile.vmlinux).
    ld="ld --no-warn-rwx-segments"
  else
    ld=ld.lld
  fi
  # 6.1+: vmlinux from the thin vmlinux.a, libraries in a group.
  $ld -T "$lds" --gc-sections -Map="$out/${linker}_vmlinux_a.map" \
      -o "${linker}_vmlinux_a.elf" \
      --whole-archive vmlinux.a --no-whole-archive \
      --start-group lib/lib.a --end-group
  # 4.13-6.0: one thin built-in.a per top-level directory.
  $ld -T "$lds" --gc-sections -Map="$out/${linker}_builtin.map" \
      -o "${linker}_builtin.elf" \
      --whole-archive init/built-in.a fs/built-in.a kernel/built-in.a \
      --no-whole-archive --start-group lib/lib.a --end-group
  # CONFIG_X86_KERNEL_IBT / CONFIG_LTO_CLANG: vmlinux.o first
  # (scripts/Makefile.vmlinux_o), then vmlinux from it alone.
  $ld -r -Map="$out/${linker}_vmlinux_o_r.map" -o "${linker}_vmlinux.o" \
      --whole-archive vmlinux.a --no-whole-archive \
      --start-group lib/lib.a --end-group
  cp "${linker}_vmlinux.o" vmlinux.o
  $ld -T "$lds" --gc-sections -Map="$out/${linker}_vmlinux_o.map" \
      -o "${linker}_vmlinux_o.elf" vmlinux.o
  $ld -m elf_i386 -Ttext=0xc1000000 -e i386_start \
      -Map="$out/${linker}_i386.map" -o "${linker}_i386.elf" \
      arch/x86/kernel/i386.o
done
for elf in *.elf; do
  nm -l --defined-only "$elf" > "$out/${elf%.elf}.nm"
done
