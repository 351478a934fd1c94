"""Reads a ksym.proto.SymbolTable with Python's protobuf runtime and prints
the same lines as export_tool, for client_test.sh to compare.

  python3 client_test.py GENERATED_DIR PREFIX EVERY

GENERATED_DIR holds ksym_pb2.py from `protoc --python_out`; PREFIX.pb,
PREFIX.json and PREFIX.textproto are the table in the three formats, which
must decode to the same message. Decoding follows only the comments in
ksym.proto, nothing from the C++ side.
"""

import bisect
import itertools
import sys

sys.path.insert(0, sys.argv[1])

from google.protobuf import json_format  # noqa: E402
from google.protobuf import text_format  # noqa: E402

import ksym_pb2  # noqa: E402


def load(prefix):
    table = ksym_pb2.SymbolTable()
    with open(prefix + ".pb", "rb") as f:
        table.ParseFromString(f.read())
    with open(prefix + ".json") as f:
        from_json = json_format.Parse(f.read(), ksym_pb2.SymbolTable())
    with open(prefix + ".textproto") as f:
        from_text = text_format.Parse(f.read(), ksym_pb2.SymbolTable())
    if from_json != table:
        sys.exit("client_test.py: the JSON file decodes to another table")
    if from_text != table:
        sys.exit("client_test.py: the text file decodes to another table")
    return table


def dash(s):
    return s if s else "-"


def main():
    table = load(sys.argv[2])
    every = int(sys.argv[3])
    if table.version != 1:
        sys.exit("client_test.py: unknown version %d" % table.version)
    ident = table.identity
    space = {
        ksym_pb2.ADDRESS_SPACE_STATIC: "static",
        ksym_pb2.ADDRESS_SPACE_RUNTIME: "runtime",
    }[ident.address_space]
    print("identity release=%s build_id=%s arch=%s address_space=%s "
          "kaslr_offset=%d" % (dash(ident.release), dash(ident.build_id),
                               dash(ident.arch), space, ident.kaslr_offset))

    cols = table.symbols
    n = cols.count
    # Addresses: first absolute, then deltas.
    addresses = []
    address = 0
    for delta in cols.address_deltas:
        address += delta
        addresses.append(address)
    # Names: 0 = next new entry of `names`, k = names[k - 1].
    names = []
    introduced = 0
    for ref in cols.name_refs:
        if ref == 0:
            names.append(cols.names[introduced])
            introduced += 1
        else:
            names.append(cols.names[ref - 1])
    # Attribution runs.
    sets, objects = [], []
    for length, module_set, obj in zip(cols.attribution_run_lengths,
                                       cols.attribution_module_sets,
                                       cols.attribution_objects):
        sets.extend([module_set] * length)
        objects.extend([obj] * length)
    # Ends: exact size, else the next higher address (last: the address).
    ends = [0] * n
    next_higher = None
    for i in range(n - 1, -1, -1):
        if i + 1 < n and addresses[i + 1] != addresses[i]:
            next_higher = addresses[i + 1]
        exact = len(cols.sizes) > 0 and cols.sizes[i] != 0
        if exact:
            ends[i] = addresses[i] + cols.sizes[i] - 1
        else:
            ends[i] = next_higher if next_higher is not None else addresses[i]

    if not (len(addresses) == len(names) == len(sets) == len(cols.types) == n):
        sys.exit("client_test.py: columns disagree with count %d" % n)
    print("counts symbols=%d module_names=%d module_sets=%d objects=%d "
          "names=%d" % (n, len(table.module_names), len(table.module_sets),
                        len(table.objects), len(cols.names)))
    for i in range(n):
        if i % every != 0 and i + 1 != n:
            continue
        mset = table.module_sets[sets[i]]
        mods = ",".join(table.module_names[m] for m in mset.module_ids)
        exact = len(cols.sizes) > 0 and cols.sizes[i] != 0
        if objects[i]:
            obj = table.objects[objects[i] - 1]
            path, annotation = obj.path, dash(obj.annotation)
        else:
            path, annotation = "-", "-"
        print("sym %d 0x%x %s %s end=0x%x %s modules=%s loadable=%d "
              "object=%s annotation=%s" % (
                  i, addresses[i], chr(cols.types[i]), names[i], ends[i],
                  "exact" if exact else "inferred", dash(mods),
                  1 if mset.loadable else 0, path, annotation))

    print_lines(table, every)


def print_lines(table, every):
    """Every address of every `every`-th line function, as README.md says."""
    if not table.HasField("lines"):
        return
    L = table.lines
    starts = list(itertools.accumulate(f.start_delta for f in L.functions))
    print("lines functions=%d" % len(L.functions))

    def where(file_id):
        f = L.files[file_id]
        return L.prefixes[f.prefix] + f.path

    for k in range(0, len(L.functions), every):
        f = L.functions[k]
        offsets = list(itertools.accumulate(f.row_offset_deltas))
        for off in range(f.size):
            r = bisect.bisect_right(offsets, off) - 1
            chain, node = [], 0
            for j, c in enumerate(f.calls):
                if c.parent == node and any(
                        b <= off < e
                        for b, e in zip(c.range_begins, c.range_ends)):
                    chain.append(c)
                    node = j + 1
            names = [L.names[f.name]] + [L.names[c.name] for c in chain]
            if r >= 0:
                inner = (where(f.row_files[r]), f.row_lines[r],
                         f.row_columns[r])
            else:
                inner = ("", 0, 0)
            out = ["%s %s:%d:%d" % ((names[-1],) + inner)]
            for j in reversed(range(len(chain))):
                c = chain[j]
                out.append("%s %s:%d:%d" % (names[j], where(c.call_file),
                                            c.call_line, c.call_column))
            print("line 0x%x %s" % (starts[k] + off, " ; ".join(out)))


if __name__ == "__main__":
    main()
