#!/bin/bash
# Fetches the newest Debian 6.1 cloud kernel that apt knows of, for
# //symbolizer/builder:debian_kernel_test, and prints the directory:
#
#   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) \
#     bazel test --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_kernel_test
#
#   fetch-debian-kernel.sh [CACHE_DIR]
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/ksym/debian-kernel.
# The packages linux-image-6.1.0-N-cloud-amd64 and its -dbg are downloaded
# with `apt-get download` and the parts the test reads are extracted into
# CACHE_DIR/RELEASE_VERSION_lLAYOUT (reused when already there), laid out
# as on an installed system:
#
#   usr/lib/debug/boot/vmlinux-RELEASE      (-dbg: vmlinux with DWARF)
#   usr/lib/debug/boot/System.map-RELEASE   (-dbg: the real System.map)
#   lib/modules/RELEASE/modules.builtin*    (image package)
#   lib/modules/RELEASE/kernel/**/M.ko      (image package: a few loadable
#                                            modules, uncompressed as Debian
#                                            ships them, no debug data)
#   usr/lib/debug/lib/modules/RELEASE/kernel/**/M.ko
#                                           (-dbg: the same modules with
#                                            symtab, STT_FILE and DWARF)
#
# The modules are listed in `modules` below (about 5 MB in all); names
# repeated inside one module are what makes them useful (virtio_pci has
# two setup_vq, vmw_vsock_vmci_transport a dozen repeats). The image
# package ships no modules.dep (depmod writes it on install).
# The image package's /boot/System.map is a placeholder and is left out.
#
# LAYOUT names what is extracted: bump it whenever that set changes, so a
# machine holding an older extraction fetches again instead of reusing it.
set -euo pipefail

cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/ksym/debian-kernel}
layout=2
modules=(
  drivers/virtio/virtio_pci.ko
  net/vmw_vsock/vmw_vsock_vmci_transport.ko
  fs/fat/fat.ko
  arch/x86/crypto/sha256-ssse3.ko
)

newest_image() {
  apt-cache pkgnames linux-image-6.1.0- |
    grep -E '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' | sort -V | tail -n 1 || true
}
image=$(newest_image)
if [ -z "$image" ] && [ "$(id -u)" -eq 0 ]; then
  # A fresh machine has no package lists yet.
  apt-get update -qq >&2 || true
  image=$(newest_image)
fi
if [ -z "$image" ]; then
  echo "fetch-debian-kernel.sh: apt knows no linux-image-6.1.0-*-cloud-amd64" \
    "package (is this Debian 12 with bookworm and bookworm-security in" \
    "sources.list, after apt-get update?)" >&2
  exit 1
fi
release=${image#linux-image-}
version=$(apt-cache show "$image" | awk '/^Version:/ { print $2; exit }')
dir="$cache/${release}_${version}_l$layout"
if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # As root, apt would hand the download to the _apt user, who cannot
  # write into the private temporary directory.
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root \
    "$image=$version" "$image-dbg=$version" \
    >&2)
  mkdir -p "$work/tree"
  image_files=() dbg_files=()
  for m in "${modules[@]}"; do
    image_files+=("./lib/modules/$release/kernel/$m")
    dbg_files+=("./usr/lib/debug/lib/modules/$release/kernel/$m")
  done
  dpkg-deb --fsys-tarfile "$work/${image}_"*.deb |
    tar -x -C "$work/tree" --wildcards "./lib/modules/$release/modules.*" \
      "${image_files[@]}"
  dpkg-deb --fsys-tarfile "$work/${image}-dbg_"*.deb |
    tar -x -C "$work/tree" "./usr/lib/debug/boot/vmlinux-$release" \
      "./usr/lib/debug/boot/System.map-$release" "${dbg_files[@]}"
  touch "$work/tree/.complete"
  rm -rf "$dir"
  mv "$work/tree" "$dir"
fi
echo "$dir"
