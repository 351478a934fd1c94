"""Batch kernel symbolization for fleets, on pandas and Dask DataFrames.

    import ksym.fleet
    out = ksym.fleet.symbolize(frame, store="/srv/ksym-store",
                               host="host", layouts={"web1": layout_text, ...})
    out = ksym.fleet.symbolize(frame, store=..., build_id="build_id")

`frame` is a pandas DataFrame or a Dask DataFrame (then each partition is
symbolized where it lives, with `map_partitions`). It has an integer
`address` column (uint64, or int64 holding the same bits) and either

- `host=COLUMN` and `layouts={host: layout}`: runtime addresses of each
  host, mapped through its layout record (`ksym layout`: text or a
  ksym.HostLayout), or
- `build_id=COLUMN` (and, for module builds, `section=COLUMN`): link-time
  addresses of a kernel build, or offsets in a section of a module build.

Added columns: `found` (bool), `name`, `qualified` (the unique name
`name [mod] {obj}`, or `?? (why)` as `ksym lookup` prints it when nothing
covers the address, the build is not in the store or the row has no
build-id), `offset` (uint64), `modules` (space separated), `object` (object
file path), `index_build_id` (the build whose index answered). The text
columns are pandas Categoricals: an int32 code per row, each distinct text
once (`.astype(str)` gives plain strings); `name` is NaN where nothing was
found.
With `lines=True`, also `file` (the innermost frame's source file under
the build prefix; NaN when unknown), `line` (uint32, 0 unknown), `function` (the innermost
function: an inlined one where the code was inlined) and `source` (every
frame's FILE:LINE innermost first, as scripts/decode_stacktrace.sh prints
them, or `?? (why)` where the index has no line table there: a module build
today), all from the index's line section.

Indexes come from the store (`ksym store add`, docs/fleet.md), built on
demand from `debug_root` or debuginfod when missing. Each process keeps one
FleetSymbolizer per store: an index is opened once per build-id (mmap, so
the page cache is shared) and at most `max_open` stay open. Rows of
build-ids are grouped in the C++ library (one call per partition), rows of
hosts by numpy, one call per host; names are decoded once per distinct
symbol: no Python per row. Categorical build-id and section columns are
not hashed again: their codes group the rows
(`pandas.read_csv(..., dtype={"build_id": "category"})`). On Dask, one task
per partition: the meta's text categoricals have unknown categories.
"""

import threading

import numpy as np

from ksym._ksym import FleetSymbolizer, HostLayout, Store

__all__ = ["symbolize", "symbolizer_for", "HostLayout", "Store",
           "FleetSymbolizer", "COLUMNS", "LINE_COLUMNS"]

COLUMNS = ["found", "name", "qualified", "offset", "modules", "object",
           "index_build_id"]

_lock = threading.Lock()
_fleets = {}


def symbolizer_for(store, max_open=64, debug_root="", debuginfod=False):
    """This process's FleetSymbolizer of `store` (one per store and options:
    on a Dask worker, shared by its tasks)."""
    key = (str(store), int(max_open), str(debug_root), bool(debuginfod))
    with _lock:
        fleet = _fleets.get(key)
        if fleet is None:
            fleet = FleetSymbolizer(
                Store(str(store), debug_root=str(debug_root),
                      debuginfod=bool(debuginfod)),
                max_open=int(max_open))
            _fleets[key] = fleet
        return fleet


def _as_layout(layout):
    if isinstance(layout, HostLayout):
        return layout
    if isinstance(layout, bytes):
        layout = layout.decode()
    return HostLayout.parse(str(layout))


def _addresses(series):
    values = series.to_numpy()
    if values.dtype == np.uint64:
        return np.ascontiguousarray(values)
    if values.dtype.kind in "iu":
        return np.ascontiguousarray(values.astype(np.int64).view(np.uint64))
    raise TypeError(
        f"ksym.fleet: column {series.name!r} must hold integers (uint64 or "
        f"int64), not {values.dtype}; parse hex text first, e.g. "
        f"pandas.read_csv(..., converters={{{series.name!r}: "
        f"lambda s: int(s, 16)}})")


def _group_rows(codes, count):
    """Row indices of each code 0..count-1 (numpy: stable sort, split)."""
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=count))
    return np.split(order, bounds[:-1])


def _build_groups(frame, build_id, section):
    """Each row's group (int32, -1: no build-id) and the (build-id,
    section) of each group that has rows. Categorical columns give their
    codes as they are (nothing hashed); others are factorized."""
    bcodes, builds = _codes(frame[build_id])
    if section is None:
        scodes, sections = np.full(len(bcodes), -1, dtype=np.int32), []
    else:
        scodes, sections = _codes(frame[section])
    width = len(sections) + 1  # 0: no section
    combined = bcodes.astype(np.int64) * width + (scodes + 1)
    valid = bcodes >= 0
    pairs = len(builds) * width
    if pairs <= 4 * len(frame) + 4096:
        # Group numbers of the (build, section) pairs that occur: a table
        # of every pair, not a hash per row.
        combined[~valid] = pairs  # counted apart
        counts = np.bincount(combined, minlength=pairs + 1)
        used = np.flatnonzero(counts[:-1])
        number = np.full(pairs + 1, -1, dtype=np.int32)
        number[used] = np.arange(len(used), dtype=np.int32)
        groups = number[combined]
    else:
        # Categories far more than rows: hash the pairs that occur.
        groups = np.full(len(frame), -1, dtype=np.int32)
        codes, used = _factorize(combined[valid])
        groups[valid] = codes
    keys = [(str(builds[u // width]),
             "" if u % width == 0 else str(sections[u % width - 1]))
            for u in used]
    return groups, keys


def _codes(series):
    """(int32 code per row, -1 for none; the values the codes index): a
    categorical's own codes, else pandas factorize codes."""
    import pandas as pd
    if isinstance(series.dtype, pd.CategoricalDtype):
        return (np.asarray(series.cat.codes, dtype=np.int32),
                series.cat.categories)
    return _factorize(series)


def _factorize(values):
    import pandas as pd
    codes, uniques = pd.factorize(values, sort=False)
    return np.asarray(codes), uniques


class _Entries:
    """The entries the library answered with, from one or more calls: found
    per entry, and each text column as a code per entry plus each distinct
    text once (the library deduplicates them: no hashing per row here)."""

    _NAMES = ["index_build_id", "name", "qualified", "modules", "object"]

    def __init__(self):
        self._found = []
        self._columns = [[] for _ in self._NAMES]
        self.count = 0

    def add(self, entries):
        """Adds one call's entries; returns the number of the first."""
        base = self.count
        found = np.frombuffer(entries[0], dtype=np.uint8).astype(bool)
        self._found.append(found)
        for parts, (codes, texts) in zip(self._columns, entries[1:]):
            parts.append((np.frombuffer(codes, dtype=np.int32), texts))
        self.count += len(found)
        return base

    def columns(self, codes):
        """found per row and a pandas Categorical per text column, for the
        rows' entry `codes`."""
        import pandas as pd
        found = (np.concatenate(self._found) if self._found
                 else np.zeros(0, dtype=bool))
        out = {"found": found[codes]}
        for name, parts in zip(self._NAMES, self._columns):
            if len(parts) == 1:
                entry_codes, texts = parts[0]
            else:
                # Several calls (one per host): their texts may repeat.
                all_texts, shifted = [], []
                for c, ts in parts:
                    shifted.append(np.where(c >= 0, c + len(all_texts), -1))
                    all_texts.extend(ts)
                remap, texts = pd.factorize(np.array(all_texts, dtype=object))
                # Code -1 (nothing) indexes the appended -1.
                remap = np.append(remap.astype(np.int32), np.int32(-1))
                entry_codes = (remap[np.concatenate(shifted)] if shifted
                               else np.zeros(0, dtype=np.int32))
            out[name] = pd.Categorical.from_codes(
                np.asarray(entry_codes, dtype=np.int32)[codes], texts)
        return out


# The string columns: pandas Categoricals (codes per row, each name once).
_TEXT_COLUMNS = ["name", "qualified", "modules", "object", "index_build_id"]


# With lines=True: the innermost frame's file and line, its function, and
# every frame's FILE:LINE as scripts/decode_stacktrace.sh prints them.
LINE_COLUMNS = ["file", "line", "function", "source"]


def _symbolize_pandas(frame, store, address, build_id, section, host, layouts,
                      max_open, debug_root, debuginfod, lines=False):
    n = len(frame)
    codes = np.zeros(n, dtype=np.int32)
    offsets = np.zeros(n, dtype=np.uint64)
    entries = _Entries()
    # Line columns: codes into `texts` per row (-1: none), and line numbers.
    line_codes = {c: np.full(n, -1, dtype=np.int32)
                  for c in ("file", "function", "source")}
    line_numbers = np.zeros(n, dtype=np.uint32)
    texts = []

    def take_lines(got, rows):
        file_c, line_c, function_c, source_c, group_texts = got[3]
        for name, part in (("file", file_c), ("function", function_c),
                           ("source", source_c)):
            c = np.frombuffer(part, dtype=np.int32)
            line_codes[name][rows] = np.where(c >= 0, c + len(texts), -1)
        line_numbers[rows] = np.frombuffer(line_c, dtype=np.uint32)
        texts.extend(group_texts)

    if n:
        fleet = symbolizer_for(store, max_open, debug_root, debuginfod)
        addrs = _addresses(frame[address])
        if host is None:
            groups, keys = _build_groups(frame, build_id, section)
            got = fleet.symbolize_builds(keys, groups, addrs, lines=lines)
            # The library's buffers, not copies.
            codes = np.frombuffer(got[0], dtype=np.int32)
            offsets = np.frombuffer(got[1], dtype=np.uint64)
            entries.add(got[2])
            if lines:
                take_lines(got, slice(None))
        else:
            hcodes, hosts = _factorize(frame[host])
            if (hcodes < 0).any():
                raise KeyError(f"ksym.fleet: no layout for host None "
                               f"(column {host!r})")
            for h, rows in zip(hosts, _group_rows(hcodes, len(hosts))):
                if h not in layouts:
                    raise KeyError(f"ksym.fleet: no layout for host {h!r} "
                                   f"(column {host!r})")
                got = fleet.symbolize_host(_as_layout(layouts[h]),
                                           addrs[rows], lines=lines)
                if lines:
                    take_lines(got, rows)
                codes[rows] = (np.frombuffer(got[0], dtype=np.int32) +
                               entries.add(got[2]))
                offsets[rows] = np.frombuffer(got[1], dtype=np.uint64)
    added = entries.columns(codes)
    added["offset"] = offsets
    # A shallow copy shares the input's columns without copying them; only
    # when an added column replaces one of the input's is a deep copy safe.
    out = frame.copy(deep=any(c in frame.columns for c in
                              COLUMNS + (LINE_COLUMNS if lines else [])))
    for name in COLUMNS:
        out[name] = added[name]
    if lines:
        import pandas as pd
        # Texts repeat across groups: one category each.
        value_codes, uniques = pd.factorize(np.array(texts + [""],
                                                     dtype=object))
        value_codes = value_codes.astype(np.int32)
        for name in LINE_COLUMNS:
            if name == "line":
                out[name] = line_numbers
                continue
            rc = line_codes[name]
            out[name] = pd.Categorical.from_codes(
                np.where(rc >= 0, value_codes[rc], -1), uniques)
    return out


def symbolize(frame, store, *, address="address", build_id="build_id",
              section=None, host=None, layouts=None, max_open=64,
              debug_root="", debuginfod=False, lines=False):
    """Adds the symbol columns (see the module doc) to a pandas or Dask
    DataFrame; a Dask input gives a lazy Dask DataFrame. lines=True also
    adds the source-line columns (LINE_COLUMNS)."""
    if host is not None and layouts is None:
        raise ValueError("ksym.fleet.symbolize: host= needs layouts=")
    if host is not None:
        # Records travel to the workers as text, parsed there once per task.
        layouts = {k: (v.text() if isinstance(v, HostLayout) else v)
                   for k, v in layouts.items()}
    args = (str(store), address, build_id, section, host, layouts, max_open,
            str(debug_root), bool(debuginfod), bool(lines))
    if hasattr(frame, "map_partitions") and hasattr(frame, "npartitions"):
        # Each partition has its own categories: the meta says they are
        # unknown, so no task per column changes them (an assign per column
        # copied every partition five times).
        from dask.dataframe.utils import clear_known_categories
        meta = clear_known_categories(
            _symbolize_pandas(frame._meta, *args),
            cols=_TEXT_COLUMNS + (["file", "function", "source"]
                                  if lines else []))
        return frame.map_partitions(_symbolize_pandas, *args, meta=meta,
                                    enforce_metadata=False)
    return _symbolize_pandas(frame, *args)
