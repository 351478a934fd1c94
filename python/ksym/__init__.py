"""ksym: unique, fast kernel symbol names, from Python.

    import ksym
    idx = ksym.Index("debian.ksym")          # or ksym.Index.running()
    s = idx.lookup(0xffffffff81460ec2)       # None when nothing covers it
    s.name, s.qualified, s.start, s.offset, s.size, s.type, s.modules, s.object
    s.unique, s.candidates, s.select   # does s.qualified select s alone?
    #   how many symbols print as it; a query that selects s (@0xADDR added
    #   when the name is shared)
    s.resolved      # what `ksym resolve` prints: qualified [+ ambiguity marker]
    str(s)          # 'init_once+0x12/0x70 {ext4/super.o}', as `ksym lookup`
    idx.frame(addr) # the same text, or '?? (reason)' when nothing covers addr
    # Live frames: on the running kernel's index (its build-id, or release,
    # is the running kernel's: Index.running(), or an index built from
    # /proc/kallsyms here), an address no indexed symbol covers exactly is
    # looked up in the [bpf] and ftrace/kprobe lines of /proc/kallsyms, as
    # `ksym lookup` does (read once per Index, on the first such address):
    # lookup then returns a ksym.LiveSymbol (s.live True; a Symbol's is
    # False) with .name, .start, .offset, .type, .modules (['bpf']), .frame
    # and str(s) ('bpf_prog_6deef7357e7b4530_my_prog+0x4c [bpf] (BPF
    # program 42, prog.c:12:5)'), .bpf ({'id', 'function', 'file', 'line',
    # 'column'} with root or CAP_BPF, else None) and .bpf_note (why not);
    # no .index (it is in no index), no source lines. idx.frame(addr)
    # prints the same text. lookup_many answers each address as lookup
    # does: a live frame is ksym.NO_SYMBOL with its offset (and
    # ksym.REASON_LIVE below).
    # Source lines (an index built with its line table), as `ksym lookup
    # --lines` gives them, innermost first as llvm-symbolizer --inlines:
    s.location      # {'function', 'file', 'prefix', 'line', 'column'} of the
    #   code at the address (file under the build prefix; line 0: unknown,
    #   column 0: none), or None when there are none, and then
    s.location_missing  # why (no line table and what gives it, assembler
    #   code, a module's code), else None
    s.inlined       # the functions it was inlined into, innermost first,
    #   each with its call site: a list of such dicts ([] when none)
    s.source_lines  # the lines `ksym lookup --lines` prints after the frame
    symbols, offsets = idx.lookup_many(numpy_uint64_array)  # or any sequence
    # memoryviews of uint32 symbol indices (ksym.NO_SYMBOL: none) and uint64
    # offsets; idx.symbol(i) gives the Symbol of an index.
    symbols, offsets, files, lines, file_table = idx.lookup_many(a, lines=True)
    # ... and each address's innermost source line (its Symbol.location):
    # uint32 files index file_table (paths under the build prefix, the
    # distinct ones of this call; ksym.NO_FILE: none), uint32 lines (0:
    # none); a UserWarning says why when the index has no line table
    symbols, offsets, reasons = idx.lookup_many(a, reasons=True)
    # ... and why each address has no symbol, last (after the lines'
    # arrays when both are asked): uint8 ksym.REASON_NONE (found),
    # REASON_BELOW_FIRST, REASON_PAST_LAST, REASON_IN_GAP,
    # REASON_NOT_KERNEL, REASON_EMPTY_INDEX, REASON_LIVE (the C API's enum
    # ksym_reason); ksym.reason_text(r) is what idx.frame says in '?? (...)'
    len(idx), list(idx)   # how many symbols; each, in address order
    idx.resolve("init_once")                 # every match, a list of Symbol
    idx.resolve("vfs_rea*")                  # globs, as `ksym resolve` takes them
    idx.resolve_unique("init_once {ext4/super}")
    # -> Symbol; raises ksym.AmbiguousError (.candidates) or LookupError;
    #    ValueError for a query that is not valid syntax
    idx.symbolize(line)   # what `ksym symbolize` does to a line of text
    idx.symbolize(line, lines=True)   # ... and `ksym symbolize --lines`
    idx.symbolize(line, decode_stacktrace=True)   # `--decode-stacktrace`
    #   (a UserWarning says why when the index has no line table)

Fleets (many hosts, many kernel builds; docs/fleet.md): ksym.fleet.symbolize
on pandas and Dask DataFrames, ksym.fleet.HostLayout, ksym.fleet.Store.

The extension is compiled against the ksym C++ library (pybind11); an Index
is immutable and may be shared by threads (calls release the GIL while
they search).
"""


class AmbiguousError(LookupError):
    """Several symbols match a query meant to be unique.

    .candidates: the matching symbols (ksym.Symbol), each with its
    qualified name.
    """

    def __init__(self, message, candidates):
        super().__init__(message)
        self.candidates = candidates


from ksym._ksym import Index, Symbol, NO_SYMBOL, NO_FILE  # noqa: E402
from ksym._ksym import (  # noqa: E402
    REASON_NONE, REASON_EMPTY_INDEX, REASON_BELOW_FIRST, REASON_PAST_LAST,
    REASON_IN_GAP, REASON_NOT_KERNEL, REASON_LIVE, reason_text)

__all__ = ["Index", "Symbol", "AmbiguousError", "NO_SYMBOL", "NO_FILE",
           "REASON_NONE", "REASON_EMPTY_INDEX", "REASON_BELOW_FIRST",
           "REASON_PAST_LAST", "REASON_IN_GAP", "REASON_NOT_KERNEL",
           "REASON_LIVE", "reason_text"]
