#!/usr/bin/env bash
# Builds the libFuzzer targets of //fuzz with clang (--config=fuzz: ASan,
# UBSan, libFuzzer) and fuzzes each for a bounded time, starting from its
# seed corpus (fuzz/corpus/NAME plus the generated seeds its regression test
# replays). Prints executions per target; exits 1 if any target crashed,
# leaked, timed out or ran out of memory, 2 if the build failed.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]     default 20 s, all
#   tools/fuzz.sh 60 index_mutate query
#
# The build uses an output base of its own ($KSYM_FUZZ_OUTPUT_BASE, default
# ~/.cache/ksym-fuzz-bazel): --repo_env=CC=clang reconfigures the C++
# toolchain, which would otherwise invalidate the gcc build's cache. Work
# files (grown corpora, crash-* reproducers, logs) go to $KSYM_FUZZ_WORKDIR
# (default: a new directory under /tmp), which is printed at the end.
# That build makes no bazel-* links in the checkout (--symlink_prefix=/):
# links into another output base would make the next `bazel test //...`
# walk into that output base's external/ tree and fail. Reproduce a crash:
# bazel build //fuzz:NAME_fuzzer && bazel-bin/fuzz/NAME_fuzzer CRASH_FILE
# (the gcc build), or the clang binary under
# $(bazel --output_base=OUTPUT_BASE info --config=fuzz bazel-bin)/fuzz/.
#
# Needs Debian clang-14, libclang-rt-14-dev and lld: installed here if missing
# (the test suite itself needs none of them but lld).
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [SECONDS_PER_TARGET [TARGET...]]" >&2
  exit 2
fi
tools/install-deps.sh || exit 2
if ! command -v clang >/dev/null 2>&1 || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz.sh: clang not found: apt-get install clang-14 libclang-rt-14-dev" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang clang-14 libclang-rt-14-dev >/dev/null || exit 2
fi

output_base=${KSYM_FUZZ_OUTPUT_BASE:-$HOME/.cache/ksym-fuzz-bazel}
# The server exits when idle, so an occasional run leaves nothing behind.
bazel_fuzz() { bazel --output_base="$output_base" --max_idle_secs=300 "$@"; }

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/*_fuzzer.cc; do
    n=$(basename "$f" _fuzzer.cc)
    targets+=("$n")
  done
fi

labels=()
for t in "${targets[@]}"; do
  labels+=("//fuzz:${t}_fuzzer" "//fuzz:${t}_fuzzer_test")
done
echo "fuzz.sh: building ${#targets[@]} fuzzers (clang, ASan+UBSan+libFuzzer)..." >&2
if ! bazel_fuzz build --config=fuzz --symlink_prefix=/ "${labels[@]}" >/tmp/ksym-fuzz-build.$$.log 2>&1; then
  grep -v "linux-sandbox" /tmp/ksym-fuzz-build.$$.log | tail -40 >&2
  rm -f /tmp/ksym-fuzz-build.$$.log
  echo "fuzz.sh: build failed" >&2
  exit 2
fi
rm -f /tmp/ksym-fuzz-build.$$.log
bin=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null)

# max_len per target, from the tag the ksym_fuzzer macro sets.
declare -A max_len
while read -r label len; do
  max_len[$label]=$len
done < <(bazel_fuzz query 'attr(tags, "max_len=", kind(cc_binary, //fuzz:all))' \
           --output=build 2>/dev/null |
         awk '/^  name = /{gsub(/[",]/, "", $3); name=$3}
              /max_len=/{match($0, /max_len=[0-9]+/);
                         print name, substr($0, RSTART + 8, RLENGTH - 8)}')

work=${KSYM_FUZZ_WORKDIR:-$(mktemp -d /tmp/ksym-fuzz.XXXXXX)}
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
summary=()
for t in "${targets[@]}"; do
  dir="$work/$t"
  mkdir -p "$dir/corpus"
  # Seeds: every data file of the regression test (its runfiles manifest
  # lists "WORKSPACE/PATH ABSOLUTE_PATH"), not the test binary and the
  # shared libraries it loads.
  manifest="$bin/fuzz/${t}_fuzzer_test.runfiles_manifest"
  while read -r rel abs; do
    case "$rel" in
      ksym/fuzz/${t}_fuzzer_test | ksym/_solib_* | *.so | "") continue ;;
    esac
    [ -f "$abs" ] || continue
    cp -f "$abs" "$dir/corpus/seed-$(echo "$rel" | tr '/' '_')"
  done < "$manifest"
  len=${max_len[${t}_fuzzer]:-}
  if [ -z "$len" ]; then
    echo "fuzz.sh: no max_len tag on //fuzz:${t}_fuzzer (fuzz/fuzz.bzl)" >&2
    exit 2
  fi
  "$bin/fuzz/${t}_fuzzer" -max_total_time="$seconds" -max_len="$len" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units:/{print $2}' "$dir/log" | tail -1)
  speed=$(awk '/stat::average_exec_per_sec:/{print $2}' "$dir/log" | tail -1)
  units=$(find "$dir/corpus" -type f | wc -l)
  artifacts=$(find "$dir" -maxdepth 1 -type f \
                \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
                   -o -name 'oom-*' -o -name 'slow-unit-*' \) | sort)
  if [ $rc -ne 0 ] || [ -n "$(echo "$artifacts" | grep -v slow-unit)" ]; then
    result="CRASH (exit $rc)"
    status=1
    echo "==== $t: exit $rc; log $dir/log" >&2
    grep -E "^(==[0-9]+==|SUMMARY|    #[0-9]|.*runtime error|index fuzzer|proto_import fuzzer|round trip)" \
      "$dir/log" | head -40 >&2
    for a in $artifacts; do echo "  reproducer: $a" >&2; done
  else
    result="ok"
  fi
  summary+=("$(printf '%-26s %12s %10s %8s  %s' "$t" "${execs:-?}" "${speed:-?}" "$units" "$result")")
done

echo
printf '%-26s %12s %10s %8s  %s\n' target executions exec/s corpus result
for line in "${summary[@]}"; do echo "$line"; done
echo "($seconds s each; work directory: $work)"
exit $status
