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
covers the address or the build is not in the store), `offset` (uint64),
`modules` (space separated), `object` (object file path), `index_build_id`
(the build whose index answered).

Indexes come from the store (`ksym store add`, docs/fleet.md), built on
demand from `debug_root` or debuginfod when missing. Each process keeps one
FleetSymbolizer per store: an index is opened once per build-id (mmap, so
the page cache is shared) and at most `max_open` stay open. Rows are
grouped by host or build; each group is one call into the C++ library,
names are decoded once per distinct symbol: no Python per row.
"""

import threading

import numpy as np

from ksym._ksym import FleetSymbolizer, HostLayout, Store

__all__ = ["symbolize", "symbolizer_for", "HostLayout", "Store",
           "FleetSymbolizer", "COLUMNS"]

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


def _symbolize_pandas(frame, store, address, build_id, section, host, layouts,
                      max_open, debug_root, debuginfod):
    import pandas as pd
    n = len(frame)
    codes = np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n, dtype=np.uint64)
    table = []  # (found, build_id, name, qualified, modules, object)
    if n:
        fleet = symbolizer_for(store, max_open, debug_root, debuginfod)
        addrs = _addresses(frame[address])
        if host is not None:
            keys = [frame[host]]
        else:
            keys = [frame[build_id]]
            if section is not None:
                keys.append(frame[section])
        parsed = {}
        groups = pd.DataFrame({f"k{i}": k.to_numpy() for i, k in
                               enumerate(keys)}).groupby(
            [f"k{i}" for i in range(len(keys))], sort=False, dropna=False
        ).indices
        for key, rows in groups.items():
            key = key if isinstance(key, tuple) else (key,)
            if host is not None:
                if key[0] not in layouts:
                    raise KeyError(
                        f"ksym.fleet: no layout for host {key[0]!r} "
                        f"(column {host!r})")
                layout = parsed.get(key[0])
                if layout is None:
                    layout = parsed[key[0]] = _as_layout(layouts[key[0]])
                got = fleet.symbolize_host(layout, addrs[rows])
            else:
                sec = "" if section is None or key[1] is None else str(key[1])
                got = fleet.symbolize_build(str(key[0]), addrs[rows], sec)
            group_codes, group_offsets, entries = got
            codes[rows] = np.frombuffer(group_codes, dtype=np.int32) + len(table)
            offsets[rows] = np.frombuffer(group_offsets, dtype=np.uint64)
            table.extend(entries)
    columns = list(zip(*table)) if table else [[]] * 6
    found_t, build_t, name_t, qualified_t, modules_t, object_t = (
        np.array(c, dtype=object) for c in columns)
    out = frame.copy()
    out["found"] = found_t[codes].astype(bool) if n else np.zeros(0, bool)
    name = name_t[codes] if n else np.array([], dtype=object)
    if n:
        name[~out["found"].to_numpy()] = None
    out["name"] = name
    out["qualified"] = qualified_t[codes] if n else np.array([], object)
    out["offset"] = offsets
    out["modules"] = modules_t[codes] if n else np.array([], object)
    out["object"] = object_t[codes] if n else np.array([], object)
    out["index_build_id"] = build_t[codes] if n else np.array([], object)
    return out


def symbolize(frame, store, *, address="address", build_id="build_id",
              section=None, host=None, layouts=None, max_open=64,
              debug_root="", debuginfod=False):
    """Adds the symbol columns (see the module doc) to a pandas or Dask
    DataFrame; a Dask input gives a lazy Dask DataFrame."""
    if host is not None and layouts is None:
        raise ValueError("ksym.fleet.symbolize: host= needs layouts=")
    if host is not None:
        # Records travel to the workers as text, parsed there once per task.
        layouts = {k: (v.text() if isinstance(v, HostLayout) else v)
                   for k, v in layouts.items()}
    args = (str(store), address, build_id, section, host, layouts, max_open,
            str(debug_root), bool(debuginfod))
    if hasattr(frame, "map_partitions") and hasattr(frame, "npartitions"):
        meta = _symbolize_pandas(frame._meta, *args)
        return frame.map_partitions(_symbolize_pandas, *args, meta=meta)
    return _symbolize_pandas(frame, *args)
