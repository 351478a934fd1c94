#!/bin/bash
# Builds the synthetic kernel with the system toolchain the way kbuild
# builds one: objects under their kbuild paths, a kbuild `.NAME.o.cmd` file
# for each, arch/x86/hyp/hyp.o pre-linked with `ld -r`, vmlinux linked with a
# map, System.map filtered as scripts/mksysmap (6.1) does, and the
# modules.builtin* files of its built-in modules.
#
#   make_kernel.sh SRCDIR OUTDIR
#
# Writes OUTDIR/build (a build tree: vmlinux, vmlinux.map, System.map,
# modules.builtin, modules.builtin.modinfo, include/config/kernel.release,
# .cmd files), OUTDIR/modules/6.1.0-synthetic (modules.builtin,
# modules.builtin.modinfo, modules.builtin.objs), OUTDIR/modinfo-only/
# 6.1.0-synthetic (modules.builtin, modules.builtin.modinfo, as Debian ships),
# OUTDIR/ranges (modules.builtin.ranges) and OUTDIR/build_id (the vmlinux
# build-id as readelf prints it).
set -euo pipefail
src=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/synthetic.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
cp -r "$src"/. .
build="$out/build"
mkdir -p "$build/include/config"

# -O0 and no reordering keep functions and variables in source order, so
# the expected listing does not depend on the gcc version.
cflags="-g -O0 -fno-pie -mcmodel=kernel -ffreestanding -fno-common
    -fno-asynchronous-unwind-tables -fno-stack-protector -fcf-protection=none
    -fno-toplevel-reorder -fno-inline -fdebug-prefix-map=$work=/build/synthetic"
cflags=$(echo $cflags)

# cc OBJECT MODFILE... : compiles OBJECT's .c like kbuild, writing its .cmd.
cc() {
  local obj=$1 base modname cmd
  shift
  base=$(basename "$obj" .o)
  modname=$(for m in "$@"; do basename "$m"; done | paste -sd:)
  cmd="gcc -Wp,-MMD,$(dirname "$obj")/.$base.o.d $cflags -DKBUILD_MODFILE='\"$*\"' -DKBUILD_BASENAME='\"$base\"' -DKBUILD_MODNAME='\"$modname\"' -D__KBUILD_MODNAME=kmod_$modname -c -o $obj ${obj%.o}.c"
  eval "$cmd"
  mkdir -p "$build/$(dirname "$obj")"
  printf 'savedcmd_%s := %s\n\nsource_%s := %s\n\ndeps_%s := \\\n  synthetic.h \\\n\n%s: $(deps_%s)\n\n$(deps_%s):\n' \
      "$obj" "${cmd//$work//build/synthetic}" "$obj" "${obj%.o}.c" "$obj" "$obj" "$obj" "$obj" \
      > "$build/$(dirname "$obj")/.$base.o.cmd"
}

# as_obj OBJECT: assembles OBJECT's .S; kbuild passes no module file to as.
as_obj() {
  local obj=$1 cmd
  cmd="gcc -Wp,-MMD,$(dirname "$obj")/.$(basename "$obj" .o).o.d -D__ASSEMBLY__ -g -fdebug-prefix-map=$work=/build/synthetic -c -o $obj ${obj%.o}.S"
  eval "$cmd"
  mkdir -p "$build/$(dirname "$obj")"
  printf 'savedcmd_%s := %s\n' "$obj" "${cmd//$work//build/synthetic}" \
      > "$build/$(dirname "$obj")/.$(basename "$obj" .o).o.cmd"
}

lio=drivers/net/liquidio
as_obj arch/x86/entry/entry_64.o
cc init/main.o init/main
cc init/version.o init/version
cc kernel/sched/core.o kernel/sched/core
cc net/sched/core.o net/sched/core
cc drivers/base/core.o drivers/base/core
cc fs/inode.o fs/inode
cc fs/ext4/super.o fs/ext4/ext4
cc fs/ext4/inode.o fs/ext4/ext4
cc fs/binfmt_elf.o fs/binfmt_elf
cc fs/compat_binfmt_elf.o fs/compat_binfmt_elf
cc $lio/lio_main.o $lio/liquidio
cc $lio/lio_vf_main.o $lio/liquidio_vf
cc $lio/lio_core.o $lio/liquidio $lio/liquidio_vf
cc $lio/cn23xx_pf_device.o $lio/liquidio $lio/liquidio_vf
cc $lio/cn23xx_vf_device.o $lio/liquidio $lio/liquidio_vf
cc arch/x86/hyp/hyp_a.o arch/x86/hyp/hyp
cc arch/x86/hyp/hyp_b.o arch/x86/hyp/hyp
cc lib/string.o lib/string

cmd="ld -m elf_x86_64 -r -o arch/x86/hyp/hyp.o arch/x86/hyp/hyp_a.o arch/x86/hyp/hyp_b.o"
eval "$cmd"
printf 'savedcmd_%s := %s\n' arch/x86/hyp/hyp.o "$cmd" > "$build/arch/x86/hyp/.hyp.o.cmd"

ld -m elf_x86_64 --no-warn-rwx-segments --build-id=sha1 -T synthetic.lds \
    -Map=vmlinux.map -o vmlinux \
    arch/x86/entry/entry_64.o init/main.o init/version.o \
    kernel/sched/core.o net/sched/core.o drivers/base/core.o fs/inode.o \
    fs/ext4/super.o fs/ext4/inode.o fs/binfmt_elf.o fs/compat_binfmt_elf.o \
    $lio/lio_main.o $lio/lio_core.o $lio/cn23xx_pf_device.o \
    $lio/cn23xx_vf_device.o $lio/lio_vf_main.o arch/x86/hyp/hyp.o lib/string.o
mv vmlinux vmlinux.map "$build"

# scripts/mksysmap of Linux 6.1.
nm -n "$build/vmlinux" | grep -v -e ' [aNUw] ' -e ' \$' -e ' \.L' \
    -e ' __crc_' -e ' __kstrtab_' -e ' __kstrtabns_' -e ' L0$' \
    > "$build/System.map"
readelf -n "$build/vmlinux" | awk '/Build ID:/ { print $3 }' > "$out/build_id"
echo 6.1.0-synthetic > "$build/include/config/kernel.release"

builtin='kernel/fs/ext4/ext4.ko
kernel/fs/binfmt_elf.ko
kernel/fs/compat_binfmt_elf.ko
kernel/drivers/net/liquidio/liquidio.ko
kernel/drivers/net/liquidio/liquidio_vf.ko'
# NUL-terminated records, as objcopy -O binary -j .modinfo writes them; an
# object in two modules writes "a:b.file=dir/a dir/b".
modinfo() {
  printf '%s\0' \
      ext4.file=fs/ext4/ext4 ext4.license=GPL \
      binfmt_elf.file=fs/binfmt_elf binfmt_elf.license=GPL \
      compat_binfmt_elf.file=fs/compat_binfmt_elf compat_binfmt_elf.license=GPL \
      liquidio.file=$lio/liquidio liquidio.license=GPL \
      liquidio_vf.file=$lio/liquidio_vf liquidio_vf.license=GPL \
      "liquidio:liquidio_vf.file=$lio/liquidio $lio/liquidio_vf" \
      liquidio:liquidio_vf.license=GPL
}
modules="$out/modules/6.1.0-synthetic"
debian="$out/modinfo-only/6.1.0-synthetic"
mkdir -p "$modules" "$debian" "$out/ranges"
for dir in "$build" "$modules" "$debian"; do
  echo "$builtin" > "$dir/modules.builtin"
  modinfo > "$dir/modules.builtin.modinfo"
done
cat > "$modules/modules.builtin.objs" <<OBJS
fs/ext4/ext4.o: fs/ext4/super.o fs/ext4/inode.o
fs/binfmt_elf.o: 
fs/compat_binfmt_elf.o: 
$lio/liquidio.o: $lio/lio_main.o $lio/lio_core.o $lio/cn23xx_pf_device.o $lio/cn23xx_vf_device.o
$lio/liquidio_vf.o: $lio/lio_vf_main.o $lio/lio_core.o $lio/cn23xx_pf_device.o $lio/cn23xx_vf_device.o
OBJS
# The slots of synthetic.lds, as scripts/generate_builtin_ranges.awk writes
# them (6.12+).
cat > "$out/ranges/modules.builtin.ranges" <<'RANGES'
.text 00000000-00000000 = _text
.text 00000c00-00001000 ext4
.text 00001000-00001200 binfmt_elf
.text 00001200-00001400 compat_binfmt_elf
.text 00001400-00001600 liquidio
.text 00001600-00001c00 liquidio liquidio_vf
.text 00001c00-00001e00 liquidio_vf
RANGES
