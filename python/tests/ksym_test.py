#!/usr/bin/env python3
"""The Python module's contract beyond what lookup.py compares with the CLI:
    ksym_test.py INDEX [MODULES_INDEX]
INDEX: an index with duplicate names (e.g. kallsyms); MODULES_INDEX: one
built from a kallsyms whose [vfat] lines are the only ones placing vfat.
"""
import array
import fnmatch
import sys
import warnings

import numpy

import ksym

idx = ksym.Index(sys.argv[1])
ok = True


def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond


# An index built from kallsyms alone: runtime addresses, offset unknown
# (None, never a 0 that reads as "no KASLR").
info = idx.info()
check(info["runtime_addresses"] and info["kaslr_offset"] is None,
      "info(): an unknown KASLR offset is None")

first = idx.symbol(0)
check(idx.lookup(first.start - 1) is None, "nothing below the first symbol")
check(idx.frame(first.start - 1).startswith("?? ("), "frame says why not")
s = idx.symbol(len(idx) // 2)
hit = idx.lookup(s.start)
check(hit is not None and hit.start == s.start and hit.offset == 0, "lookup at a start")
check(str(hit) == hit.frame == idx.frame(s.start), "str(Symbol) is the frame text")

# Iteration: every symbol, in address order, as idx.symbol(i).
listed = list(idx)
check(len(listed) == len(idx), "iter(Index) yields len(Index) symbols")
check(all(a.start <= b.start for a, b in zip(listed, listed[1:])),
      "iter(Index) is in address order")
check(listed[len(idx) // 2].qualified == s.qualified, "iter(Index)[i] is idx.symbol(i)")

# Duplicate names: resolve lists all, resolve_unique refuses with them.
names = {}
for i in range(0, len(idx), 7):
    names.setdefault(idx.symbol(i).name, []).append(i)
dup = next(n for n, v in names.items() if len(v) > 1 and not n.startswith("__pfx_"))
every = idx.resolve(dup)
check(len(every) >= 2, "resolve finds the duplicates of %s" % dup)
# Globs, as `ksym resolve` takes them: every copy of every matching name.
globbed = idx.resolve(dup[:-1] + "?")
check(set(c.address for c in every) <= set(c.address for c in globbed),
      "resolve('%s?') has every copy of %s" % (dup[:-1], dup))
check(all(fnmatch.fnmatchcase(c.name, dup[:-1] + "?") for c in globbed),
      "resolve('%s?') names match the glob" % dup[:-1])
check(idx.resolve("no_such_symbol_anywhere*") == [], "a glob matching nothing")
try:
    idx.resolve_unique(dup)
    check(False, "resolve_unique raises on %s" % dup)
except ksym.AmbiguousError as e:
    check(isinstance(e, LookupError), "AmbiguousError is a LookupError")
    check(sorted(c.address for c in e.candidates) ==
          sorted(c.address for c in every), "AmbiguousError.candidates")
try:
    idx.resolve_unique("no_such_symbol_anywhere")
    check(False, "resolve_unique raises on no match")
except ksym.AmbiguousError:
    check(False, "no match is not ambiguous")
except LookupError:
    check(True, "no match raises LookupError")
try:
    idx.resolve("bad [")
    check(False, "syntax error raises")
except ValueError as e:
    check("bad [" in str(e), "syntax error raises ValueError naming the query")
u = idx.resolve_unique(s.qualified + "+0x1") if len(idx.resolve(s.qualified)) == 1 else None
check(u is None or (u.address == s.start + 1 and u.offset == 1), "resolve_unique offset")

# lookup_many: buffers and sequences, no Python loop inside.
addrs = [idx.symbol(i).start + 1 for i in range(0, len(idx), 11)] + [first.start - 1]
sy_list, of_list = idx.lookup_many(addrs)
sy_arr, of_arr = idx.lookup_many(array.array("Q", addrs))
sy_mv, _ = idx.lookup_many(memoryview(array.array("Q", addrs)))
check(list(sy_list) == list(sy_arr) == list(sy_mv) and list(of_list) == list(of_arr),
      "lookup_many: list, array and memoryview agree")
check(sy_list[-1] == ksym.NO_SYMBOL, "lookup_many marks misses with NO_SYMBOL")
check(all(idx.lookup(a).index == i for a, i in zip(addrs[:-1], sy_list)),
      "lookup_many agrees with lookup")
np_sy, np_of = idx.lookup_many(numpy.array(addrs, dtype=numpy.uint64))
np_sy_i, _ = idx.lookup_many(numpy.array(addrs, dtype=numpy.uint64).astype(numpy.int64))
check(list(np_sy) == list(sy_list) == list(np_sy_i) and list(np_of) == list(of_list),
      "lookup_many: numpy uint64 and int64 arrays")
check(list(numpy.frombuffer(np_sy, dtype=numpy.uint32)) == list(sy_list),
      "lookup_many results are buffers numpy reads")
with warnings.catch_warnings(record=True) as said:
    warnings.simplefilter("always")
    l_sy, l_of, l_files, l_lines, l_table = idx.lookup_many(addrs, lines=True)
check(list(l_sy) == list(sy_list) and list(l_of) == list(of_list),
      "lookup_many(lines=True): the same symbols and offsets")
check(set(l_files) == {ksym.NO_FILE} and set(l_lines) == {0} and l_table == [],
      "lookup_many(lines=True) without a line table: no files, no lines")
check(len(said) == 1 and "the index has no line table" in str(said[0].message),
      "lookup_many(lines=True) warns that the index has no line table")
# reasons=True: every miss says why, as idx.frame does; per address what
# idx.lookup answers, around symbols, in gaps, below the first, past the
# last and outside the kernel.
last = idx.symbol(len(idx) - 1)
probe = [first.start - 1, first.start, 0, 0x1000, last.start, 2**64 - 1]
for i in range(0, len(idx), max(1, len(idx) // 400)):
    a = idx.symbol(i).start
    probe += [a - 1, a, a + 1, a + 0x40]
probe = [a % 2**64 for a in probe]
r_sy, r_of, r_why = idx.lookup_many(probe, reasons=True)
check(r_why.format == "B" and len(r_why) == len(probe),
      "lookup_many(reasons=True): a uint8 reason per address")
agree, misses, said_right = True, 0, True
for a, sy, of, why in zip(probe, r_sy, r_of, r_why):
    one = idx.lookup(a)
    if one is None:
        misses += 1
        agree = agree and sy == ksym.NO_SYMBOL and why != ksym.REASON_NONE
        said_right = said_right and idx.frame(a) == "?? (%s)" % ksym.reason_text(why)
    else:
        agree = agree and not one.live and sy == one.index and of == one.offset \
            and why == ksym.REASON_NONE
check(agree, "lookup_many(reasons=True) agrees with lookup at %d addresses" % len(probe))
check(misses >= 3 and said_right,
      "each of %d misses has the reason idx.frame prints" % misses)
check(r_why[0] == ksym.REASON_NOT_KERNEL or r_why[0] == ksym.REASON_BELOW_FIRST,
      "below the first symbol: %s" % ksym.reason_text(r_why[0]))
check(ksym.reason_text(ksym.REASON_LIVE).startswith("not in the index: a live") and
      ksym.reason_text(99) == "unknown reason", "reason_text")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    rl = idx.lookup_many(probe, lines=True, reasons=True)
check(len(rl) == 6 and list(rl[0]) == list(r_sy) and list(rl[5]) == list(r_why),
      "lookup_many(lines=True, reasons=True): reasons last")
try:
    idx.lookup_many(numpy.array(addrs, dtype=numpy.uint64)[::2])
    check(False, "strided arrays are refused")
except TypeError:
    check(True, "strided arrays are refused with TypeError")
try:
    idx.lookup_many(array.array("I", [1, 2]))
    check(False, "32-bit buffers are refused")
except TypeError:
    check(True, "32-bit buffers are refused with TypeError")

# Source lines: an index from kallsyms has no line table, and says why.
check(hit.location is None and hit.inlined == [], "no location without a line table")
check(hit.location_missing.startswith("the index has no line table"),
      "location_missing says why: %r" % hit.location_missing)
check(hit.source_lines == ["  ?? (%s)" % hit.location_missing],
      "source_lines: what `ksym lookup --lines` prints")

line = "RIP at %016x" % (s.start + 1)
check(idx.symbolize(line) == "%s (%s)" % (line, idx.frame(s.start + 1)),
      "symbolize a line")
with warnings.catch_warnings(record=True) as said:
    warnings.simplefilter("always")
    with_lines = idx.symbolize(line, lines=True)
check(with_lines == idx.symbolize(line), "symbolize(lines=True) without a line table: the frames")
check(len(said) == 1 and "the index has no line table" in str(said[0].message),
      "symbolize(lines=True) warns that the index has no line table")
with warnings.catch_warnings(record=True) as said:
    warnings.simplefilter("always")
    shaped = idx.symbolize("[   1.5]  [<%016x>] ? %s+0x1/0x10" % (s.start + 1, s.name),
                           decode_stacktrace=True)
check(shaped == "[         1.5] ? %s+0x1/0x10 " % s.name,
      "symbolize(decode_stacktrace=True): decode_stacktrace.sh's shape: %r" % shaped)
check(len(said) == 1, "symbolize(decode_stacktrace=True) warns that the index has no line table")
try:
    ksym.Index("/nonexistent/x.ksym")
    check(False, "missing index raises")
except FileNotFoundError:
    check(True, "missing index raises FileNotFoundError")
check(idx.modules() == [], "modules(): none in an index without [mod] lines")
if len(sys.argv) > 2:
    mods = {m["name"]: m for m in ksym.Index(sys.argv[2]).modules()}
    vfat = mods.get("vfat")
    check(vfat is not None and vfat["range_inferred"] and
          vfat["build_id"] is None and not vfat["symbols_from_ko"] and
          vfat["sections"] == [] and vfat["end"] == vfat["base"] + vfat["size"],
          "modules(): a kallsyms-only module, its range inferred, build-id None")
    check(vfat is not None and vfat["text"].startswith("vfat 0x%016x-" % vfat["base"]) and
          "(range inferred from its symbols)" in vfat["text"],
          "modules(): text is the line `ksym modules` prints")
sys.exit(0 if ok else 1)
