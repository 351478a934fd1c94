#!/usr/bin/env bash
# Installs the Debian 12 packages ksym builds and tests with, if missing.
# Safe to run repeatedly: does nothing when everything is there.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-platforms bazel-rules-java bazel-skylib
  bazel-rules-proto
  g++ libabsl-dev libprotobuf-dev protobuf-compiler python3-protobuf
  libdw-dev libelf-dev libdebuginfod-dev debuginfod zlib1g-dev liblzma-dev
  libzstd-dev elfutils binutils lld llvm gcc xz-utils zstd
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  pybind11-dev python3-dev python3-numpy pkg-config linux-perf
  python3-dask python3-distributed python3-pandas
  libbpf-dev clang
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ksym: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "ksym: not root and no sudo: run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
