#!/usr/bin/env python3
"""Writes an ELF core shaped as a kdump kernel's /proc/vmcore: an ELF header,
a PT_NOTE segment holding per-CPU CORE/NT_PRSTATUS notes and the VMCOREINFO
note, and one PT_LOAD, for tests of `ksym lookup --vmcoreinfo`. The note's
text is given on stdin, as the kernel writes it (kernel/vmcore_info.c).

  vmcore_gen.py --machine x86_64 OUT < vmcoreinfo.txt
"""
import argparse
import struct
import sys

MACHINES = {"x86_64": 62, "aarch64": 183}


def note(name, ntype, desc):
    name = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--machine", choices=sorted(MACHINES), default="x86_64")
    p.add_argument("out")
    a = p.parse_args()
    info = sys.stdin.buffer.read()
    notes = note("CORE", 1, b"\1" * 336) + note("CORE", 1, b"\2" * 336)
    notes += note("VMCOREINFO", 0, info)
    ehsize, phentsize, phnum = 64, 56, 2
    note_off = ehsize + phentsize * phnum
    load_off = note_off + len(notes)
    ident = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 4, MACHINES[a.machine], 1, 0,
                               ehsize, 0, 0, ehsize, phentsize, phnum, 0, 0, 0)
    phdrs = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), 0, 4)
    phdrs += struct.pack("<IIQQQQQQ", 1, 7, load_off, 0xffff888000000000, 0,
                         4096, 4096, 4096)
    with open(a.out, "wb") as f:
        f.write(ehdr + phdrs + notes + b"\0" * 4096)


if __name__ == "__main__":
    main()
