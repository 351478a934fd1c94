#!/bin/bash
# Clients nobody here wrote read a table that export_tool wrote from a
# synthetic kernel:
#   1. `protoc --decode` (the protobuf compiler's own decoder) against
#      ksym.proto: counts of every column must match the C++ reader's.
#   2. Python's protobuf runtime (Debian python3-protobuf) with classes that
#      `protoc --python_out` generates from ksym.proto: the binary, JSON and
#      text files decode to the same message, and every symbol's address,
#      type, name, end, exactness, modules and object match the C++ reader's,
#      and every address of the line functions gives the C++ line section's
#      frames (file:line:column, inlined callers) by README.md's recipe.
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

PROTO=proto/ksym.proto
TOOL=proto/export_tool
CLIENT=proto/client_test.py
# Debian's interpreter, which has python3-protobuf (PATH may lead elsewhere).
PYTHON=/usr/bin/python3
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

command -v protoc >/dev/null || fail "protoc not found (Debian protobuf-compiler)"
"$PYTHON" -c "import google.protobuf" 2>/dev/null ||
  fail "$PYTHON cannot import google.protobuf (Debian python3-protobuf)"

"$TOOL" --synthetic --out "$TMP/table" >"$TMP/cpp.txt"
counts=$(sed -n 's/^counts //p' "$TMP/cpp.txt")
symbols=$(sed -n 's/.*symbols=\([0-9]*\).*/\1/p' <<<"$counts")
names=$(sed -n 's/.*names=\([0-9]*\)$/\1/p' <<<"$counts")
module_names=$(sed -n 's/.*module_names=\([0-9]*\).*/\1/p' <<<"$counts")
module_sets=$(sed -n 's/.*module_sets=\([0-9]*\).*/\1/p' <<<"$counts")
objects=$(sed -n 's/.*objects=\([0-9]*\).*/\1/p' <<<"$counts")
[[ "$symbols" -gt 100 ]] || fail "export_tool printed too few symbols: $counts"

# 1. protoc --decode prints one line per packed element.
protoc --decode=ksym.proto.SymbolTable -I proto "$PROTO" \
  <"$TMP/table.pb" >"$TMP/decoded.txt" || fail "protoc --decode failed"
# The symbols block alone (lines has its own `names`).
sed -n '/^symbols {/,/^}/p' "$TMP/decoded.txt" >"$TMP/symbols.txt"
count_lines() { grep -c -- "$1" "$TMP/decoded.txt" || true; }
count_symbols() { grep -c -- "$1" "$TMP/symbols.txt" || true; }
check() {  # check WHAT GOT WANT
  [[ "$2" == "$3" ]] || fail "protoc --decode: $1 is $2, C++ says $3"
}
check "count" "$(sed -n 's/^  count: //p' "$TMP/decoded.txt")" "$symbols"
check "address_deltas" "$(count_lines '^  address_deltas: ')" "$symbols"
check "name_refs" "$(count_lines '^  name_refs: ')" "$symbols"
check "sizes" "$(count_lines '^  sizes: ')" "$symbols"
check "names" "$(count_symbols '^  names: ')" "$names"
check "module_names" "$(count_lines '^module_names: ')" "$module_names"
check "module_sets" "$(count_lines '^module_sets {')" "$module_sets"
check "objects" "$(count_lines '^objects {')" "$objects"
check "line functions" "$(count_lines '^  functions {')" \
  "$(sed -n 's/^lines functions=//p' "$TMP/cpp.txt")"
grep -q '^  address_space: ADDRESS_SPACE_RUNTIME$' "$TMP/decoded.txt" ||
  fail "protoc --decode: no runtime address space"
grep -q '^  names: "init_once"$' "$TMP/symbols.txt" ||
  fail "protoc --decode: init_once missing from the names table"
[[ $(grep -c '^  names: "init_once"$' "$TMP/symbols.txt") == 1 ]] ||
  fail "protoc --decode: init_once is in the names table more than once"

# 2. Python with generated classes: all symbols, all three formats.
mkdir -p "$TMP/py"
protoc -I proto --python_out="$TMP/py" "$PROTO" || fail "protoc --python_out"
"$PYTHON" "$CLIENT" "$TMP/py" "$TMP/table" 1 >"$TMP/py.txt" ||
  fail "the Python client failed"
diff -u "$TMP/cpp.txt" "$TMP/py.txt" >&2 ||
  fail "Python reads other symbols than the C++ reader"
sym_lines=$(grep -c '^sym ' "$TMP/py.txt")
check "python symbol lines" "$sym_lines" "$symbols"
[[ $(grep -c '^line .* ; ' "$TMP/py.txt") -gt 0 ]] ||
  fail "no address with an inlined frame"

echo "client_test: protoc --decode and Python agree with C++ on $symbols symbols"
