#!/usr/bin/env bash
# Benchmarks ksym against the usual kernel symbolizers on one kernel: the
# same N random text addresses for every tool, in one run; wall time,
# CPU time (user+sys) and peak RSS from GNU time; a markdown table with
# ratios to ksym on stdout, progress on stderr.
#
#   tools/bench/peers.sh [-n N] [--seed S] [--slow-n M] [--workdir DIR] [KERNEL_DIR...]
#
# KERNEL_DIR: where the Debian kernel packages are extracted (searched for
# vmlinux-*, System.map-*, lib/modules/*/modules.builtin); default: the
# directories tools/fetch-debian-kernel.sh prints.
#   -n N        addresses (default 100000)
#   --seed S    address generator seed (default 1)
#   --slow-n M  run eu-addr2line and drgn on M/10 and M addresses only and
#               extrapolate linearly to N (default: run them on all N;
#               together they take about 4 minutes of the ~5 on 2 cores)
#   --workdir D keep inputs and every tool's output in D (default: a
#               temporary directory, removed at the end)
# Peers (Debian): llvm (llvm-symbolizer, llvm-gsymutil), elfutils, binutils,
# python3-drgn, linux-perf, time. Missing peers are skipped with a note.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n=100000
seed=1
slow_n=
workdir=
dirs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --slow-n) slow_n="$2"; shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) dirs+=("$1"); shift ;;
  esac
done
say() { echo "peers.sh: $*" >&2; }

dirs_given="${dirs[*]:-}"
if [ ${#dirs[@]} -eq 0 ]; then
  fetch="$root/tools/fetch-debian-kernel.sh"
  [ -x "$fetch" ] || { say "no KERNEL_DIR given and $fetch missing"; exit 2; }
  mapfile -t dirs < <("$fetch")
fi
find_one() {  # PATTERN: the first regular file of that name under dirs
  find -L "${dirs[@]}" -name "$1" -type f 2>/dev/null | sort | sed -n 1p
}
vmlinux="$(find_one 'vmlinux-*')"
# The image package's /boot/System.map is a placeholder; the -dbg one is real.
sysmap="$(find -L "${dirs[@]}" -path '*/debug/boot/System.map-*' -type f 2>/dev/null | sort | sed -n 1p)"
[ -n "$sysmap" ] || sysmap="$(find_one 'System.map-*')"
builtin="$(find_one modules.builtin)"
moddir="${builtin:+$(dirname "$builtin")}"
[ -n "$vmlinux" ] && [ -n "$sysmap" ] \
  || { say "need vmlinux-* and System.map-* under: ${dirs[*]}"; exit 2; }
pkg=unknown
for cl in $(find -L "${dirs[@]}" -path '*/usr/share/doc/linux-image-*/changelog.Debian.gz' 2>/dev/null | sort); do
  pkg="$(basename "$(dirname "$cl")") $(zcat "$cl" | sed -n 1p | sed 's/.*(\(.*\)).*/\1/')"
  break
done
if [ "$pkg" = unknown ]; then
  # fetch-debian-kernel.sh names its directory RELEASE_VERSION_lLAYOUT.
  base="$(basename "${dirs[0]}")"
  base="${base%_l[0-9]*}"
  case "$base" in *_*) pkg="linux-image-${base%%_*}-dbg ${base#*_}" ;; esac
fi

[ -x /usr/bin/time ] || { say "GNU time missing: apt-get install time"; exit 2; }
py=/usr/bin/python3  # Debian's, which has python3-drgn
gsymutil="$(command -v llvm-gsymutil || ls /usr/lib/llvm-*/bin/llvm-gsymutil 2>/dev/null | sort -V | tail -1 || true)"

if [ -z "$workdir" ]; then
  workdir="$(mktemp -d "${TMPDIR:-/tmp}/ksym-bench.XXXXXX")"
  trap 'rm -rf "$workdir"' EXIT
fi
mkdir -p "$workdir"
w="$workdir"

ksym="${KSYM:-}"
if [ -z "$ksym" ]; then
  say "building ksym (bazel build -c opt //tools:ksym)"
  (cd "$root" && bazel build -c opt --noshow_progress //tools:ksym >&2)
  cp "$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)/tools/ksym" "$w/ksym"
  ksym="$w/ksym"
fi

# One line per measurement in $w/results.tsv:
#   key  addresses  wall_s  user_s  sys_s  max_rss_kb
# Wall comes from date (ms resolution); CPU and RSS from GNU time (the same
# numbers `time -v` prints). With REPEAT > 1 the median-wall run is kept.
results="$w/results.tsv"
: > "$results"
# MAX_RC=1 measure ... accepts exit status 1 (`ksym lookup`: some address
# had no symbol).
measure() {  # KEY ADDRESSES REPEAT IN OUT CMD...
  local key="$1" count="$2" repeat="$3" in="$4" out="$5"; shift 5
  local i rc runs=()
  for ((i = 0; i < repeat; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    rc=0
    /usr/bin/time -o "$w/time.txt" -f '%U %S %M' "$@" < "$in" > "$out" 2> "$w/$key.err" || rc=$?
    t1=$(date +%s%N)
    if [ "$rc" -gt "${MAX_RC:-0}" ]; then
      say "$key failed (exit $rc):"; tail -5 "$w/$key.err" >&2; return 1
    fi
    # GNU time puts "Command exited with non-zero status N" first.
    runs+=("$(tail -1 "$w/time.txt" | awk -v ns=$((t1 - t0)) '{printf "%.3f %s %s %s\n", ns / 1e9, $1, $2, $3}')")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(( (repeat + 1) / 2 ))p" \
    | awk -v k="$key" -v c="$count" '{print k "\t" c "\t" $1 "\t" $2 "\t" $3 "\t" $4}' >> "$results"
  say "$(tail -1 "$results" | tr '\t' ' ')"
}
has() { command -v "$1" > /dev/null 2>&1; }

load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
say "kernel: $pkg; vmlinux: $vmlinux"
say "warming the page cache with vmlinux ($(du -h "$vmlinux" | cut -f1))"
cat "$vmlinux" "$sysmap" > /dev/null

"$py" "$here/gen_addrs.py" "$sysmap" "$n" "$seed" | sed 's/^/0x/' > "$w/addrs.txt"
: > "$w/empty"
subset() { head -"$1" "$w/addrs.txt" > "$w/addrs.$1.txt"; echo "$w/addrs.$1.txt"; }

# ksym. B = build from the richest input this ksym supports, then lookups.
build_help="$("$ksym" build --help 2>&1 || true)"
if grep -q -- --vmlinux <<< "$build_help"; then
  build_args=(--vmlinux "$vmlinux" --system-map "$sysmap")
  if [ -n "$moddir" ] && grep -q -- --modules-dir <<< "$build_help"; then
    build_args+=(--modules-dir "$moddir")
  fi
  echo vmlinux > "$w/build_input"
else
  build_args=(--system-map "$sysmap")
  echo System.map > "$w/build_input"
fi
echo "${build_args[*]}" > "$w/build_args"
measure ksym_build 0 5 "$w/empty" /dev/null "$ksym" build -q "${build_args[@]}" -o "$w/x.ksym"
MAX_RC=1 measure ksym_lookup "$n" 5 "$w/addrs.txt" "$w/ksym.out" "$ksym" lookup -i "$w/x.ksym"
MAX_RC=1 measure ksym_build_lookup "$n" 3 "$w/addrs.txt" "$w/ksym_bl.out" \
  bash -c '"$1" build -q "${@:3}" -o "$2" && exec "$1" lookup -i "$2"' bash "$ksym" "$w/y.ksym" "${build_args[@]}"
if [ "$(cat "$w/build_input")" = vmlinux ]; then
  MAX_RC=1 measure ksym_sm_build_lookup "$n" 3 "$w/addrs.txt" "$w/ksym_sm_bl.out" \
    bash -c '"$1" build -q --system-map "$3" -o "$2" && exec "$1" lookup -i "$2"' bash "$ksym" "$w/z.ksym" "$sysmap"
fi

# Peers that start from vmlinux with nothing prebuilt.
if has llvm-symbolizer; then
  measure llvm_symbolizer "$n" 1 "$w/addrs.txt" "$w/llvm.out" \
    llvm-symbolizer --obj="$vmlinux" --functions=linkage --no-inlines --output-style=GNU
  sed 's/^/DATA /' "$w/addrs.txt" > "$w/addrs.data.txt"
  measure llvm_symbolizer_data "$n" 1 "$w/addrs.data.txt" "$w/llvm_data.out" \
    llvm-symbolizer --obj="$vmlinux"
  # Correctness reference, not timed: the whole inlining chain, whose last
  # frame is the function the address physically lies in.
  llvm-symbolizer --obj="$vmlinux" --functions=linkage --inlines \
    < "$w/addrs.txt" > "$w/llvm_inlines.out"
else
  say "llvm-symbolizer missing (apt-get install llvm): skipped"
fi
if has addr2line; then
  measure addr2line "$n" 1 "$w/addrs.txt" "$w/addr2line.out" addr2line -f -e "$vmlinux"
else
  say "addr2line missing (apt-get install binutils): skipped"
fi
slow() {  # KEY CMD...: measures CMD on N addresses, or on M/10 and M
  local key="$1"; shift
  if [ -n "$slow_n" ] && [ "$slow_n" -lt "$n" ]; then
    local m1=$((slow_n / 10))
    measure "$key@small" "$m1" 1 "$(subset "$m1")" "$w/$key.small.out" "$@"
    measure "$key" "$slow_n" 1 "$(subset "$slow_n")" "$w/$key.out" "$@"
  else
    measure "$key" "$n" 1 "$w/addrs.txt" "$w/$key.out" "$@"
  fi
}
if has eu-addr2line; then
  slow eu_addr2line eu-addr2line -f -e "$vmlinux"
else
  say "eu-addr2line missing (apt-get install elfutils): skipped"
fi
if "$py" -c 'import drgn' 2> /dev/null; then
  slow drgn "$py" "$here/drgn_symbolize.py" "$vmlinux"
  # drgn_symbolize.py times its two phases itself.
  sed -n 's/^drgn: load_debug_info \([0-9.]*\) s, \([0-9]*\) lookups \([0-9.]*\) s$/drgn_lookups_only\t\2\t\3\t\3\t0\t0/p' \
    "$w/drgn.err" >> "$results"
else
  say "drgn missing (apt-get install python3-drgn): skipped"
fi

# llvm-gsymutil: convert once, then look up (its stdin wants "ADDR GSYM").
if [ -n "$gsymutil" ]; then
  measure gsym_convert 0 1 "$w/empty" "$w/gsym_convert.log" \
    "$gsymutil" --convert="$vmlinux" --out-file="$w/x.gsym"
  sed "s|\$| $w/x.gsym|" "$w/addrs.txt" > "$w/addrs.gsym.txt"
  measure gsym_lookup "$n" 1 "$w/addrs.gsym.txt" "$w/gsym.out" "$gsymutil" --addresses-from-stdin
else
  say "llvm-gsymutil missing (apt-get install llvm): skipped"
fi

# Loading kallsyms: ksym's index build from a kallsyms-format file vs
# perf's own loading, measured as `perf script --kallsyms=FILE` on a tiny
# perf.data with the full file minus the same with a 4-symbol file.
grep -v ' [aA] ' "$sysmap" > "$w/kallsyms"  # System.map is kallsyms' format
measure ksym_build_kallsyms 0 5 "$w/empty" /dev/null "$ksym" build -q --kallsyms "$w/kallsyms" -o "$w/k.ksym"
grep -E ' (_stext|_text|_etext|_end)$' "$sysmap" > "$w/kallsyms.tiny"
if has perf && perf record -q -o "$w/perf.data" -e cpu-clock:k -c 1000000 -- \
     sh -c 'for i in $(seq 1 200); do cat /proc/self/stat > /dev/null; done' > /dev/null 2>&1 \
   && [ "$(perf script -i "$w/perf.data" 2> /dev/null | grep -c kernel.kallsyms)" -gt 0 ]; then
  measure perf_kallsyms_full 0 7 "$w/empty" "$w/perf_full.out" \
    perf script -i "$w/perf.data" --kallsyms="$w/kallsyms"
  measure perf_kallsyms_tiny 0 7 "$w/empty" "$w/perf_tiny.out" \
    perf script -i "$w/perf.data" --kallsyms="$w/kallsyms.tiny"
else
  say "perf record of kernel samples not possible here: perf's kallsyms loading not measured"
fi

machine="$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, load average $load_at_start at the start"
command="tools/bench/peers.sh"
[ "$n" = 100000 ] || command+=" -n $n"
[ "$seed" = 1 ] || command+=" --seed $seed"
[ -z "$slow_n" ] || command+=" --slow-n $slow_n"
if [ -n "$dirs_given" ]; then command+=" ${dirs[*]}"; fi
"$py" "$here/report.py" "$w" "$n" \
  "$(date -u +%Y-%m-%d)" "$machine" "$pkg" "$(basename "$vmlinux")" "$command" \
  "$(llvm-symbolizer --version 2>/dev/null | sed -n 's/.*LLVM version //p' | sed -n 1p)" \
  "$(addr2line --version 2>/dev/null | sed -n 1p | sed 's/.* //')" \
  "$(eu-addr2line --version 2>/dev/null | sed -n 1p | sed 's/.* //')" \
  "$("$py" -c 'import drgn; print(drgn.__version__)' 2>/dev/null)" \
  "$(perf --version 2>/dev/null | sed 's/perf version //')"
