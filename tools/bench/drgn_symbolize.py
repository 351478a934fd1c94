#!/usr/bin/env python3
"""Symbolizes hex addresses from stdin with drgn, one output line each.

Usage: drgn_symbolize.py VMLINUX < addrs.txt > out.txt

Prints `ADDR name+0xOFF/0xSIZE` (or `ADDR ??`), like `ksym lookup`, and
on stderr the seconds spent loading debug info and looking up, so the
two phases can be reported apart.
"""

import sys
import time

import drgn


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    addrs = [int(line.split()[0], 16) for line in sys.stdin if line.strip()]

    t0 = time.monotonic()
    prog = drgn.Program()
    prog.load_debug_info([sys.argv[1]])
    t1 = time.monotonic()
    out = []
    for addr in addrs:
        try:
            sym = prog.symbol(addr)
        except LookupError:
            out.append("%x ??\n" % addr)
            continue
        out.append("%x %s+0x%x/0x%x\n" % (addr, sym.name, addr - sym.address, sym.size))
    t2 = time.monotonic()
    sys.stdout.write("".join(out))
    sys.stderr.write("drgn: load_debug_info %.3f s, %d lookups %.3f s\n"
                     % (t1 - t0, len(addrs), t2 - t1))


if __name__ == "__main__":
    main()
