#!/usr/bin/env bash
# Runs ksym, building it first (and installing missing Debian packages).
#   tools/ksym.sh                 index the running kernel, then describe it
#   tools/ksym.sh COMMAND ARGS    any ksym command, e.g. lookup ffffffff81234567
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/install-deps.sh"
(cd "$root" && bazel build --noshow_progress --ui_event_filters=-info,-stdout,-stderr //tools:ksym) \
  || { echo "ksym: build failed; rerun: (cd $root && bazel build //tools:ksym)" >&2; exit 1; }
ksym="$root/bazel-bin/tools/ksym"
if [ $# -eq 0 ]; then
  "$ksym" build
  exec "$ksym" info
fi
exec "$ksym" "$@"
