#!/usr/bin/env python3
"""Derives the built-in module inference test data from a kernel build tree.

    tools/builtin-inference-testdata.py BUILD_DIR > testdata/builtin_inference/NAME.txt

BUILD_DIR is a built kernel tree (vmlinux with DWARF, System.map,
modules.builtin, modules.builtin.modinfo and the kbuild .*.o.cmd files). The
output is what the inference sees on a distribution kernel, plus the ground
truth it is measured against (symbolizer/attribution:
builtin_inference_kernel_test):

    module NAME FILE            modules.builtin.modinfo `NAME.file=FILE`
    dyndbg MODNAME FILE         a dynamic-debug descriptor's KBUILD_MODNAME and
                                __FILE__ (CONFIG_DYNAMIC_DEBUG)
    unit OBJECT TRUTH N RANGES  a DWARF compile unit, in .debug_info (= link)
                                order: TRUTH is the built-in module its .cmd
                                file's KBUILD_MODFILE names (kernel/MODFILE.ko
                                in modules.builtin) or "-"; N the text symbols
                                (System.map t/T/w/W) it holds; RANGES its
                                address ranges "begin-end,..." in hex
    record SIZE NAME FILE       every `NAME.file=FILE` record of
                                modules.builtin.modinfo in file order,
                                repeats kept (one per MODULE_LICENSE); SIZE
                                its bytes with the NUL
    license OBJECT SIZES [after=OBJ]
                                a DWARF compile unit (with or without code)
                                holding `__UNIQUE_ID_file<N>` variables (the
                                records of its MODULE_LICENSEs), their sizes
                                "S,S,..." in DIE order; every unit is read.
                                A unit without code gives its place in link
                                order: the nearest unit with code before it
                                (after=- when none is)
    symbol NAME ADDRESS         the __initcall__kmod_* entries, the text
                                symbols whose names they carry, and the
                                text symbols in the directories of modules
                                whose file is no object (name affinity)

Units come from `elf_dump --units` (bazel-bin/symbolizer/sources/elf/elf_dump,
built when missing): the same compile units ksym reads.
"""
import bisect
import os
import re
import subprocess
import sys


def die(msg):
    sys.exit(f"builtin-inference-testdata.py: {msg}")


def read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError as e:
        die(f"{path}: {e.strerror}")


def elf_dump():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.path.join(repo, "bazel-bin/symbolizer/sources/elf/elf_dump")
    if not os.path.exists(binary):
        subprocess.run(["bazel", "build", "//symbolizer/sources/elf:elf_dump"],
                       cwd=repo, check=True, stdout=sys.stderr)
    return binary


def modfile_of(build, obj):
    """KBUILD_MODFILE of obj's .cmd file, or None."""
    d, base = os.path.split(obj)
    cmd = os.path.join(build, d, f".{base}.cmd")
    if not os.path.exists(cmd):
        return None
    m = re.search(r"-DKBUILD_MODFILE='\"([^\"]*)\"'", read(cmd))
    return m.group(1) if m else None


def dyndbg_sites(build):
    """(modname, filename) of every __UNIQUE_ID_ddebug descriptor."""
    import struct
    elf = read(os.path.join(build, "vmlinux"), "rb")
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die("vmlinux: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = []
    for k in range(shnum):
        _, typ, flags, addr, off, size = struct.unpack_from(
            "<IIQQQQ", elf, shoff + k * shentsize)
        if flags & 2 and typ != 8:  # SHF_ALLOC, not SHT_NOBITS
            sections.append((addr, off, size))

    def at(address, n):
        for addr, off, size in sections:
            if addr <= address and address + n <= addr + size:
                return elf[off + address - addr:off + address - addr + n]
        return None

    def string(address):
        b = at(address, 1)
        if b is None:
            return None
        for addr, off, size in sections:
            if addr <= address < addr + size:
                start = off + address - addr
                end = elf.find(b"\0", start, start + 256)
                return elf[start:end].decode() if end > start else None
        return None

    for line in read(os.path.join(build, "System.map")).splitlines():
        addr, _, name = line.split()[:3]
        if not name.startswith("__UNIQUE_ID_ddebug"):
            continue
        a = int(addr, 16)
        head = at(a, 24)
        if head is None:
            continue
        modname_at, _, filename_at = struct.unpack("<QQQ", head)
        modname, filename = string(modname_at), string(filename_at)
        if modname and filename:
            yield modname, filename


def main():
    if len(sys.argv) != 2:
        die("usage: builtin-inference-testdata.py BUILD_DIR")
    build = sys.argv[1]
    builtin = set(read(os.path.join(build, "modules.builtin")).split())
    modules = []
    records = []
    seen = set()
    for rec in read(os.path.join(build, "modules.builtin.modinfo"),
                    "rb").split(b"\0"):
        rec = rec.decode()
        m = re.match(r"([^.=]+)\.file=(.*)", rec)
        if m:
            records.append((len(rec) + 1, m.group(1), m.group(2)))
        if m and ":" not in m.group(1) and m.group(1) not in seen:
            seen.add(m.group(1))
            modules.append((m.group(1), m.group(2)))

    dump = subprocess.run([elf_dump(), "--units",
                           os.path.join(build, "vmlinux")],
                          check=True, capture_output=True, text=True).stdout
    units = []
    licenses = []
    for line in dump.splitlines():
        words = line.split()
        ranges = []
        while words and re.fullmatch(r"[0-9a-f]+-[0-9a-f]+", words[-1]):
            b, e = words.pop().split("-")
            ranges.insert(0, (int(b, 16), int(e, 16)))
        for w in words[3:]:
            if w.startswith("license="):
                sizes = w[len("license="):]
                if not ranges:
                    sizes += " after=" + (units[-1][0] if units else "-")
                licenses.append((words[2], sizes))
        if ranges:
            units.append([words[2], ranges, 0])

    # Text symbols → the unit with the smallest range holding them.
    flat = sorted((b, e, i) for i, u in enumerate(units) for b, e in u[1])
    starts = [r[0] for r in flat]
    longest = max((e - b for b, e, _ in flat), default=0)
    text = {}
    for line in read(os.path.join(build, "System.map")).splitlines():
        addr, typ, name = line.split()[:3]
        addr = int(addr, 16)
        if typ in "tTwW":
            text.setdefault(name, []).append(addr)
            k = bisect.bisect_right(starts, addr)
            best = None
            while k > 0:
                k -= 1
                b, e, i = flat[k]
                if addr - b >= longest:
                    break
                if addr < e and (best is None or e - b < best[0]):
                    best = (e - b, i)
            if best:
                units[best[1]][2] += 1

    symbols = []
    for line in read(os.path.join(build, "System.map")).splitlines():
        addr, typ, name = line.split()[:3]
        if name.startswith("__initcall__kmod_"):
            symbols.append((name, addr))
            for fn, addrs in ((f, text[f]) for f in text if f in name):
                for a in addrs:
                    symbols.append((fn, f"{a:x}"))

    # Name affinity settles objects two modules' runs claim: only in a
    # directory of a multi-object module that another one's overlaps.
    # A module whose object is a unit without code (lib/bitrev.o, a table)
    # is a single object too.
    unit_paths = {u[0] for u in units} | {obj for obj, _ in licenses}
    cdirs = [os.path.dirname(f) for _, f in modules
             if f + ".o" not in unit_paths and os.path.dirname(f)]
    def overlap(a, b):
        return a == b or a.startswith(b + "/") or b.startswith(a + "/")
    dirs = sorted({d for d in cdirs if sum(overlap(d, e) for e in cdirs) > 1})
    for line in read(os.path.join(build, "System.map")).splitlines():
        addr, typ, name = line.split()[:3]
        if typ not in "tTwW":
            continue
        a = int(addr, 16)
        k = bisect.bisect_right(starts, a)
        while k > 0:
            k -= 1
            b, e, i = flat[k]
            if a - b >= longest:
                break
            if a < e:
                if any(units[i][0].startswith(d + "/") for d in dirs):
                    symbols.append((name, addr))
                break

    dyndbg = sorted(set(dyndbg_sites(build)))

    print("# Built-in module inference test data; generated by "
          "tools/builtin-inference-testdata.py")
    print(f"# from {read(os.path.join(build, 'include/config/kernel.release')).strip()}"
          " built with DWARF; ground truth from the "
          ".cmd files.")
    for name, file in modules:
        print(f"module {name} {file}")
    for obj, ranges, count in units:
        mf = modfile_of(build, obj)
        truth = "-"
        if mf:
            names = [os.path.basename(f).replace("-", "_").replace(",", "_")
                     for f in mf.split() if f"kernel/{f}.ko" in builtin]
            truth = ",".join(sorted(names)) or "-"
        r = ",".join(f"{b:x}-{e:x}" for b, e in ranges)
        print(f"unit {obj} {truth} {count} {r}")
    for size, name, file in records:
        print(f"record {size} {name} {file}")
    for obj, sizes in licenses:
        print(f"license {obj} {sizes}")
    for name, addr in sorted(set(symbols)):
        print(f"symbol {name} {addr}")
    for modname, filename in dyndbg:
        print(f"dyndbg {modname} {filename}")


if __name__ == "__main__":
    main()
