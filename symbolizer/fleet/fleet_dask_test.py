#!/usr/bin/env python3
"""ksym.fleet on a real Dask LocalCluster (several worker processes) against
`ksym lookup` on each host's own runtime index.

    fleet_dask_test.py KSYM FIXTURE_VMLINUX FIXTURE_KO SYNTHETIC_VMLINUX
                       SYNTHETIC_MODULES_BUILTIN   (KSYM_DEBIAN_KERNEL set)

Fake hosts are laid out as the kernel shows them (proc/kallsyms moved by a
KASLR slide, proc/modules, sys/module/M/sections and notes, sys/kernel/notes,
the vmlinux and .ko files where distributions put them) for three kernel
builds: the Debian 6.1 cloud kernel with its modules (two hosts: other
slides, other module addresses and order), the ELF fixture kernel with the
fixture module, the synthetic kernel with a Debian module. Each host's
runtime index is built with `ksym build --root`; its layout record with
`ksym layout --root`; the store is filled with `ksym store add`. Every row
must get what `ksym lookup -i HOST.ksym --json` says on that host.
"""
import glob
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys

import numpy as np
import pandas as pd

import dask.dataframe as dd
from distributed import Client, LocalCluster

import ksym.fleet

KSYM, FIXTURE_VMLINUX, FIXTURE_KO, SYN_VMLINUX, SYN_BUILTIN = sys.argv[1:6]
SYN_BUILD = os.path.dirname(SYN_VMLINUX)
SYN_MODULES = os.path.dirname(SYN_BUILTIN)
TMP = os.environ.get("TEST_TMPDIR", "/tmp")
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def run(*args, stdin=None, ok=(0,)):
    r = subprocess.run([KSYM, *args], input=stdin, capture_output=True,
                       text=True)
    if r.returncode not in ok:
        sys.exit(f"ksym {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r.stdout


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def link(src, dst):
    # A hard link (else a copy): `ksym build --root` follows no symlink out
    # of the root.
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if not os.path.lexists(dst):
        try:
            os.link(os.path.realpath(src), dst)
        except OSError:
            shutil.copyfile(os.path.realpath(src), dst)


def notes(build_id):
    desc = bytes.fromhex(build_id)
    pad = (4 - len(desc) % 4) % 4
    return struct.pack("<III", 4, len(desc), 3) + b"GNU\0" + desc + b"\0" * pad


def build_id_of(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True,
                         text=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", out).group(1)


def alloc_sections(ko):
    """(name, size) of each allocated section of a .ko, not .init*."""
    out = subprocess.run(["readelf", "-SW", ko], capture_output=True,
                         text=True, check=True).stdout
    sections = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(.*)$", line)
        if not m:
            continue
        f = m.group(1).split()
        if len(f) < 9 or f[0] == "NULL":
            continue
        flags = f[6] if len(f) == 10 else ""
        if "A" in flags and not f[0].startswith(".init"):
            sections.append((f[0], int(f[4], 16)))
    return sections


def make_host(name, release, vmlinux, system_map, slide, modules_dir,
              modules, module_base, rng):
    """modules: (module name, .ko, debug .ko) loaded at module_base on."""
    root = os.path.join(TMP, name)
    kallsyms = []
    for line in system_map.splitlines():
        f = line.split()
        # scripts/kallsyms leaves out mapping symbols ($d, $x, ...).
        if len(f) != 3 or f[2].startswith("$"):
            continue
        a = int(f[0], 16)
        a = a if a < 0x1000000 else a + slide
        kallsyms.append("%016x %s %s\n" % (a, f[1], f[2]))
    write(root + "/proc/kallsyms", "".join(kallsyms))
    write(root + "/proc/sys/kernel/osrelease", release + "\n")
    write(root + "/sys/kernel/notes", notes(build_id_of(vmlinux)), "wb")
    link(vmlinux, f"{root}/usr/lib/debug/boot/vmlinux-{release}")
    mods = f"{root}/lib/modules/{release}"
    os.makedirs(mods, exist_ok=True)
    for f in ("modules.builtin", "modules.builtin.modinfo", "modules.order",
              "modules.builtin.objs"):
        if os.path.exists(os.path.join(modules_dir, f)):
            link(os.path.join(modules_dir, f), os.path.join(mods, f))
    proc_modules, dep = [], []
    base = module_base
    for mod, ko, debug in modules:
        sys_dir = f"{root}/sys/module/{mod}"
        first = None
        sections = alloc_sections(ko)
        rng.shuffle(sections)  # another loader order on each host
        for section, size in sections:
            write(f"{sys_dir}/sections/{section}", "0x%016x\n" % base)
            first = base if first is None else first
            base += (size + 0x1000) & ~0xfff
        base = (base + 0xfffff) & ~0xfffff
        write(sys_dir + "/notes/.note.gnu.build-id", notes(build_id_of(ko)),
              "wb")
        proc_modules.append(f"{mod} 65536 0 - Live 0x{first:016x}\n")
        rel = f"kernel/extra/{os.path.basename(ko)}"
        link(ko, os.path.join(mods, rel))
        dep.append(rel + ":\n")
        link(debug, f"{root}/usr/lib/debug/lib/modules/{release}/{rel}")
    write(root + "/proc/modules", "".join(proc_modules))
    write(mods + "/modules.dep", "".join(dep))
    return root


def system_map_of(vmlinux):
    return subprocess.run(["nm", "-n", vmlinux], capture_output=True,
                          text=True, check=True).stdout


def main():
    # Worker processes import this file as __mp_main__: nothing runs then.
    global rows
    # --- the kernels -----------------------------------------------------------
    deb = os.environ.get("KSYM_DEBIAN_KERNEL")
    if not deb:
        sys.exit("KSYM_DEBIAN_KERNEL is not set: "
                 "KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh)")
    deb_vmlinux = glob.glob(deb + "/usr/lib/debug/boot/vmlinux-*")[0]
    deb_release = os.path.basename(deb_vmlinux)[len("vmlinux-"):]
    deb_map = deb + f"/usr/lib/debug/boot/System.map-{deb_release}"
    deb_modules_dir = deb + f"/lib/modules/{deb_release}"
    deb_modules = []
    for debug in sorted(glob.glob(
            deb + f"/usr/lib/debug/lib/modules/{deb_release}/**/*.ko",
            recursive=True)):
        rel = debug.split(f"/usr/lib/debug/lib/modules/{deb_release}/")[1]
        ko = os.path.join(deb_modules_dir, rel)
        name = re.sub(r"[-,]", "_", os.path.basename(ko)[:-3])
        if os.path.exists(ko):
            deb_modules.append((name, ko, debug))
    check(len(deb_modules) >= 2, "the Debian kernel has modules with debug .ko")

    rng = random.Random(21)
    hosts = {}  # name -> root
    deb_text = system_map_of(deb_vmlinux)
    hosts["deb-a"] = make_host("deb-a", deb_release, deb_vmlinux,
                               open(deb_map).read(), 0x1c000000, deb_modules_dir,
                               deb_modules, 0xffffffffc0380000, rng)
    hosts["deb-b"] = make_host("deb-b", deb_release, deb_vmlinux,
                               open(deb_map).read(), 0x2e200000, deb_modules_dir,
                               list(reversed(deb_modules[1:])), 0xffffffffc1a00000,
                               rng)
    fixture_mod = ("ksym_fixture", FIXTURE_KO, FIXTURE_KO)
    hosts["fixture"] = make_host("fixture", "6.1.0-fixture", FIXTURE_VMLINUX,
                                 system_map_of(FIXTURE_VMLINUX), 0x3400000,
                                 SYN_MODULES, [fixture_mod], 0xffffffffc0800000,
                                 rng)
    syn_vmlinux = os.path.join(SYN_BUILD, "vmlinux")
    hosts["synthetic"] = make_host(
        "synthetic", "6.1.0-synthetic", syn_vmlinux,
        open(os.path.join(SYN_BUILD, "System.map")).read(), 0x5a00000,
        SYN_MODULES, deb_modules[:1], 0xffffffffc3000000, rng)

    # --- each host: its runtime index, its layout, addresses -------------------
    layouts, rows = {}, []
    for name, root in hosts.items():
        index = os.path.join(TMP, name + ".ksym")
        run("build", "--root", root, "-q", "-o", index)
        layout = run("layout", "--root", root)
        layouts[name] = layout
        parsed = ksym.fleet.HostLayout.parse(layout, name)
        check(parsed.text_address is not None and parsed.build_id != "",
              f"{name}: the layout has _text and the kernel build-id")
        check(all(b for _, b, _ in parsed.modules) and parsed.modules,
              f"{name}: the layout has every module's build-id")
        check(len(layout) < 8192, f"{name}: the layout is small ({len(layout)} B)")
        starts = []
        for line in run("list", "-i", index).splitlines():
            f = line.split()
            starts.append(int(f[0], 16))
        starts = sorted(set(a for a in starts if a >= 0x1000000))
        picked = starts[::max(1, len(starts) // 1500)]
        addrs = set()
        for a in picked:
            addrs.update((a, a + 1, a + rng.randrange(1, 64)))
        # Module addresses all over each section, and around them.
        for _, _, sections in parsed.modules:
            for a in sections.values():
                addrs.update(a + rng.randrange(0, 0x4000) for _ in range(40))
        addrs.update((0x1000, 0x00007f0012345678, parsed.text_address - 1,
                      0xffffffffffffff00))
        addrs = sorted(addrs)
        # Exit 1: some addresses had no symbol (user space, gaps), as expected.
        out = run("lookup", "-i", index, "--json", "--lines", ok=(0, 1),
                  stdin="".join("%x\n" % a for a in addrs))
        for a, line in zip(addrs, out.splitlines()):
            rows.append((name, a, json.loads(line)))
        check(len(out.splitlines()) == len(addrs), f"{name}: ksym lookup answered "
              f"{len(addrs)} addresses")

    # --- the store -------------------------------------------------------------
    store = os.path.join(TMP, "store")
    run("store", "add", "--store", store, "--modules-dir", deb_modules_dir,
        "--system-map", deb_map, deb_vmlinux)
    run("store", "add", "--store", store, "--modules-dir", SYN_MODULES,
        os.path.join(SYN_BUILD, "vmlinux"))
    run("store", "add", "--store", store, FIXTURE_VMLINUX, FIXTURE_KO,
        *[debug for _, _, debug in deb_modules])

    rng.shuffle(rows)
    frame = pd.DataFrame({
        "host": [r[0] for r in rows],
        "address": np.array([r[1] for r in rows], dtype=np.uint64),
    })


    def compare(out, label):
        bad = 0
        for (host, a, want), (_, got) in zip(rows, out.iterrows()):
            ok = bool(got["found"]) == want["found"]
            if ok and want["found"]:
                ok = (got["qualified"] == want["qualified"] and
                      got["name"] == want["name"] and
                      int(got["offset"]) == want["offset"] and
                      got["modules"] == " ".join(want["modules"]) and
                      got["object"] == (want["object"] or ""))
            if ok and not want["found"]:
                ok = got["qualified"].startswith("?? (")
            if not ok:
                bad += 1
                if bad <= 10:
                    print(f"  {label} {host} {a:016x}: got "
                          f"{got['qualified']}+{int(got['offset'])} "
                          f"[{got['modules']}] {{{got['object']}}}, want "
                          f"{want.get('qualified', want.get('reason'))}"
                          f"+{want.get('offset')}", flush=True)
        found = sum(1 for r in rows if r[2]["found"])
        check(bad == 0, f"{label}: {len(rows)} rows ({found} found) as `ksym "
              f"lookup` on each host's runtime index ({bad} differ)")


    # pandas, one process.
    out = ksym.fleet.symbolize(frame, store, host="host", layouts=layouts)
    compare(out, "pandas")
    builds = set(out.loc[out["found"], "index_build_id"])
    check(len(builds) >= 5, f"answers came from {len(builds)} builds "
          "(3 kernels and their modules)")
    # Source lines: the innermost frame as `ksym lookup --lines` gives it on
    # each host's runtime index; "?? (why)" where that has none.
    with_lines = ksym.fleet.symbolize(frame, store, host="host",
                                      layouts=layouts, lines=True)
    bad = placed = 0
    for (host_name, a, want), (_, got) in zip(rows, with_lines.iterrows()):
        if not want["found"]:
            continue
        loc = want.get("location")
        if loc:
            placed += 1
            # An unknown file (no row there: line 0) is NaN, JSON's "".
            file = got["file"] if isinstance(got["file"], str) else ""
            ok = (file == loc["file"] and int(got["line"]) == loc["line"]
                  and got["function"] == loc["function"])
        else:
            ok = str(got["source"]).startswith("?? (")
        if not ok:
            bad += 1
            if bad <= 5:
                print(f"  lines {host_name} {a:016x}: got {got['file']}:"
                      f"{got['line']} {got['function']} / {got['source']}, "
                      f"want {loc}", flush=True)
    check(placed > 1000 and bad == 0,
          f"lines=True: {placed} rows with file:line as `ksym lookup --lines` "
          f"on each host ({bad} differ)")
    text = ["name", "qualified", "modules", "object", "index_build_id"]
    check(all(str(out[c].dtype) == "category" for c in text),
          "the text columns are categoricals (a code per row)")
    check(out["name"].isna().sum() == (~out["found"]).sum(),
          "name is NaN exactly where nothing was found")
    # A row without a build-id is said, the others answered.
    nob = ksym.fleet.symbolize(pd.DataFrame({
        "build_id": [None, build_id_of(FIXTURE_VMLINUX)],
        "address": np.array([0, 0], dtype=np.uint64)}), store)
    check(nob["qualified"].iloc[0] == "?? (no build-id)" and
          not nob["found"].iloc[0] and
          nob["index_build_id"].iloc[1] == build_id_of(FIXTURE_VMLINUX),
          "a row without a build-id says so")

    # Dask on a LocalCluster of worker processes, a small LRU bound.
    if True:
        with LocalCluster(n_workers=3, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, \
                Client(cluster) as client:
            ddf = dd.from_pandas(frame, npartitions=9)
            lazy = ksym.fleet.symbolize(ddf, store, host="host", layouts=layouts,
                                        max_open=3)
            got = lazy.compute().loc[frame.index]
            check(len(client.scheduler_info()["workers"]) == 3,
                  "three worker processes")
            compare(got, "dask")

            # By build-id: link-time kernel addresses of the Debian hosts.
            deb_rows = [(h, a, w) for h, a, w in rows if h == "deb-a"]
            slide = 0x1c000000
            kernel_id = build_id_of(deb_vmlinux)
            by_build = pd.DataFrame({
                "build_id": [kernel_id] * len(deb_rows),
                "address": np.array([(a - slide) % 2**64 for _, a, _ in deb_rows],
                                    dtype=np.uint64)})
            b = ksym.fleet.symbolize(dd.from_pandas(by_build, npartitions=3),
                                     store).compute()
            mod_ranges = [v for _, _, s in ksym.fleet.HostLayout.parse(
                layouts["deb-a"]).modules for v in s.values()]
            same = 0
            total = 0
            for (_, a, want), (_, g) in zip(deb_rows, b.iterrows()):
                if a >= min(mod_ranges) or not want["found"]:
                    continue
                total += 1
                same += (g["qualified"] == want["qualified"] and
                         int(g["offset"]) == want["offset"])
            check(total > 0 and same == total,
                  f"by build-id: {same} of {total} link-time addresses as on "
                  "the host")

            # By (build-id, section) of module builds, the columns as
            # categoricals with categories no row has (their codes group
            # the rows, nothing is hashed), a row without a build-id and
            # one of a build the store lacks: on the cluster as in one
            # process on plain strings (factorized), and the module rows
            # as `ksym lookup` on their host.
            parsed = {h: ksym.fleet.HostLayout.parse(t)
                      for h, t in layouts.items()}
            mapped = []
            for h, a, want in rows:
                m = parsed[h].map(a)
                if m is not None and m[1] != "_text":
                    mapped.append((m[0], m[1], m[2], want))
            mapped.append((None, ".text", 0x10, None))
            mapped.append(("ab" * 20, ".text", 0x10, None))
            plain = pd.DataFrame({
                "build_id": [m[0] for m in mapped],
                "section": [m[1] for m in mapped],
                "address": np.array([m[2] for m in mapped], dtype=np.uint64)})
            ids = sorted({m[0] for m in mapped if m[0]}) + ["cd" * 20]
            secs = sorted({m[1] for m in mapped}) + [".unused"]
            cat = plain.astype({"build_id": pd.CategoricalDtype(ids),
                                "section": pd.CategoricalDtype(secs)})
            one = ksym.fleet.symbolize(plain, store, section="section")
            cat_ddf = dd.from_pandas(cat, npartitions=4)
            lazy = ksym.fleet.symbolize(cat_ddf, store, section="section")
            check(len(lazy.dask.layers) == len(cat_ddf.dask.layers) + 1,
                  "Dask: one task per partition (no copy per added column)")
            check(all(not lazy[c].cat.known for c in text),
                  "Dask: the text columns' categories are unknown in the "
                  "meta (each partition has its own)")
            many = lazy.compute().sort_index()
            same = all(
                np.array_equal(many[c].astype(str).to_numpy(),
                               one[c].astype(str).to_numpy())
                for c in ksym.fleet.COLUMNS)
            check(len(many) == len(one) and same,
                  f"by (build-id, section) categoricals on the cluster: "
                  f"{len(many)} rows as in one process on strings")
            # Far more categories than rows: the pairs that occur hashed.
            wide = cat.tail(60).astype({"build_id": pd.CategoricalDtype(
                ids + ["%040x" % i for i in range(5000)])})
            w = ksym.fleet.symbolize(wide, store, section="section")
            check(all(np.array_equal(w[c].astype(str).to_numpy(),
                                     one[c].tail(60).astype(str).to_numpy())
                      for c in ksym.fleet.COLUMNS),
                  "5,000 unused build-id categories: the same answers")
            bad = found = 0
            for (_, _, _, want), (_, g) in zip(mapped, many.iterrows()):
                if want is None or not want["found"]:
                    continue
                found += 1
                bad += not (g["qualified"] == want["qualified"] and
                            int(g["offset"]) == want["offset"])
            check(found > 100 and bad == 0,
                  f"by (build-id, section): {found} module rows as on their "
                  f"host ({bad} differ)")
            check(many["qualified"].iloc[-2] == "?? (no build-id)" and
                  many["qualified"].iloc[-1].startswith("?? (") and
                  not many["found"].iloc[-1],
                  "a row without a build-id and one of a build not in the "
                  "store say so")

        # A store entry damaged in place is refused on every row it would answer.
        path = ksym.fleet.Store(store).path_for(build_id_of(FIXTURE_VMLINUX))
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 0x55
        tmp = path + ".damaged"
        open(tmp, "wb").write(bytes(data))
        os.replace(tmp, path)
        ksym.fleet._fleets.clear()
        fixture_rows = frame[frame["host"] == "fixture"]
        d = ksym.fleet.symbolize(fixture_rows, store, host="host", layouts=layouts)
        kernel_rows = d[d["index_build_id"] == build_id_of(FIXTURE_VMLINUX)]
        check(len(kernel_rows) == 0 and
              d["qualified"].str.contains("checksum|damaged|refused").any(),
              "a damaged index answers no row, and the rows say why")

        print("%d failures" % len(failures))
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
