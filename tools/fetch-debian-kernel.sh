#!/bin/bash
# Fetches the newest Debian 6.1 cloud kernel that apt knows of, for
# //symbolizer/builder:debian_kernel_test, and prints the directory:
#
#   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) \
#     bazel test --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_kernel_test
#
#   fetch-debian-kernel.sh [--arch amd64|arm64] [CACHE_DIR]
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/ksym/debian-kernel.
# ARCH defaults to amd64; with --arch arm64 the arm64 cloud kernel is fetched
# the same way (for //symbolizer/builder:debian_arm64_test, passed as
# KSYM_DEBIAN_ARM64_KERNEL): apt must know the arm64 architecture, so as
# root the script runs `dpkg --add-architecture arm64` and `apt-get update`
# when it does not yet.
# The packages linux-image-6.1.0-N-cloud-ARCH and its -dbg are downloaded
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

arch=amd64
if [ "${1:-}" = --arch ]; then
  arch=${2:?fetch-debian-kernel.sh: --arch needs amd64 or arm64}
  shift 2
fi
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/ksym/debian-kernel}
layout=2
case "$arch" in
  amd64)
    modules=(
      drivers/virtio/virtio_pci.ko
      net/vmw_vsock/vmw_vsock_vmci_transport.ko
      fs/fat/fat.ko
      arch/x86/crypto/sha256-ssse3.ko
    )
    ;;
  arm64)
    modules=(
      drivers/virtio/virtio_pci.ko
      net/vmw_vsock/vmw_vsock_virtio_transport_common.ko
      fs/fat/fat.ko
      arch/arm64/crypto/sha256-arm64.ko
    )
    ;;
  *)
    echo "fetch-debian-kernel.sh: unknown --arch '$arch' (amd64 or arm64)" >&2
    exit 1
    ;;
esac
# A foreign architecture's packages are named NAME:ARCH to apt.
qualifier=
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  qualifier=":$arch"
fi

newest_image() {
  apt-cache pkgnames linux-image-6.1.0- |
    grep -E "^linux-image-6\.1\.0-[0-9]+-cloud-$arch\$" | sort -V |
    tail -n 1 || true
}
image=$(newest_image)
if [ -z "$image" ] && [ "$(id -u)" -eq 0 ]; then
  # A fresh machine has no package lists yet, or apt does not know the
  # foreign architecture.
  if [ -n "$qualifier" ] &&
    ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    dpkg --add-architecture "$arch" >&2
  fi
  apt-get update -qq >&2 || true
  image=$(newest_image)
fi
if [ -z "$image" ]; then
  echo "fetch-debian-kernel.sh: apt knows no linux-image-6.1.0-*-cloud-$arch" \
    "package (is this Debian 12 with bookworm and bookworm-security in" \
    "sources.list, after apt-get update${qualifier:+ and dpkg --add-architecture $arch}?)" >&2
  exit 1
fi
release=${image#linux-image-}
version=$(apt-cache show "$image$qualifier" |
  awk '/^Version:/ { print $2; exit }')
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
    "$image$qualifier=$version" "$image-dbg$qualifier=$version" \
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
