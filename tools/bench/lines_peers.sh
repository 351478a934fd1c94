#!/usr/bin/env bash
# Source lines against the peers, in one run (docs/performance.md, "Source
# lines"): index builds with and without lines against llvm-gsymutil
# --convert, and `ksym lookup --lines` against `llvm-symbolizer --inlines`
# on N random addresses inside functions; CPU (user+sys), peak RSS and
# output sizes from GNU time, ratios at the end.
#
#   tools/bench/lines_peers.sh KSYM KERNEL_DIR [N] [SEED]
#
# KSYM: a ksym binary (bazel-bin/tools/ksym); KERNEL_DIR: the directory
# tools/fetch-debian-kernel.sh prints. N addresses (default 10000): a
# function symbol (`nm -S`, t/T with a size) uniformly, then an offset in
# it. ksym's lookups are timed 20 times in one process tree (one run is
# below GNU time's 10 ms resolution) and divided by 20.
set -euo pipefail
ksym=$1 k=$2 n=${3:-10000} seed=${4:-18}
v=$(ls "$k"/usr/lib/debug/boot/vmlinux-*) m=$(ls "$k"/usr/lib/debug/boot/System.map-*)
gsymutil=$(ls /usr/bin/llvm-gsymutil* | head -1)
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
t() {  # t LABEL REPEAT CMD...: "LABEL cpu_s rss_kb", CPU divided by REPEAT
  local label=$1 rep=$2
  shift 2
  /usr/bin/time -f "%U %S %M" -o "$w/t" "$@" > /dev/null
  awk -v l="$label" -v r="$rep" '{printf "%s %.3f %d\n", l, ($1 + $2) / r, $3}' "$w/t"
}
{
  t build_lines 1 "$ksym" build -q --vmlinux "$v" --system-map "$m" -o "$w/l.ksym"
  t build_no_lines 1 "$ksym" build -q --no-lines --vmlinux "$v" --system-map "$m" -o "$w/n.ksym"
  t gsymutil_convert 1 "$gsymutil" --convert "$v" -o "$w/g.gsym"
  nm -S --defined-only "$v" | awk '($3=="t"||$3=="T") && NF==4 && $2 !~ /^0+$/' > "$w/funcs"
  python3 - "$w/funcs" "$n" "$seed" > "$w/addrs" <<'PY'
import random, sys
random.seed(int(sys.argv[3]))
f = [l.split() for l in open(sys.argv[1])]
for _ in range(int(sys.argv[2])):
    a, s = f[random.randrange(len(f))][:2]
    print("0x%x" % (int(a, 16) + random.randrange(int(s, 16))))
PY
  t lookup_lines 20 bash -c "for i in \$(seq 20); do '$ksym' lookup --lines -i '$w/l.ksym' < '$w/addrs'; done"
  t lookup_no_lines 20 bash -c "for i in \$(seq 20); do '$ksym' lookup -i '$w/n.ksym' < '$w/addrs'; done"
  t llvm_symbolizer_inlines 1 llvm-symbolizer --inlines --obj="$v" < "$w/addrs"
} | tee "$w/results"
echo "sizes: l.ksym $(stat -c %s "$w/l.ksym") n.ksym $(stat -c %s "$w/n.ksym") g.gsym $(stat -c %s "$w/g.gsym") bytes"
awk -v ls="$(stat -c %s "$w/l.ksym")" -v gs="$(stat -c %s "$w/g.gsym")" '
  {cpu[$1] = $2; rss[$1] = $3}
  END {
    printf "build with lines / gsymutil: CPU %.2f, RSS %.2f, size %.2f\n",
           cpu["build_lines"] / cpu["gsymutil_convert"],
           rss["build_lines"] / rss["gsymutil_convert"], ls / gs
    printf "llvm-symbolizer --inlines / ksym lookup --lines: CPU %.1fx\n",
           cpu["llvm_symbolizer_inlines"] / cpu["lookup_lines"]
  }' "$w/results"
