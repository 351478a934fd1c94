#!/usr/bin/env python3
"""Lays out a fake live system from an extracted Debian kernel, to time
`ksym build --root` with loadable modules (docs/performance.md).

    live_root.py TREE ROOT RELEASE

TREE holds what the image and -dbg packages ship (dpkg-deb -x of both, or
just the parts used): usr/lib/debug/boot/{vmlinux,System.map}-RELEASE,
lib/modules/RELEASE/modules.{builtin,builtin.modinfo,order}, each module
to load as lib/modules/RELEASE/kernel/**/M.ko.xz (as Debian ships them)
and its debug .ko at usr/lib/debug/lib/modules/RELEASE/kernel/**/M.ko.
Every such module is "loaded". ROOT gets, as debian_modules_test lays them
out: proc/kallsyms (System.map moved by a KASLR slide, then each module's
symbols at its load address), proc/modules, sys/module/M/sections and
notes, sys/kernel/notes, modules.dep, and hard links to the kernel files.
Needs binutils (readelf, nm); ROOT must be on TREE's file system.
"""
import os
import re
import struct
import subprocess
import sys

SLIDE = 0x1c000000
MODULE_BASE = 0xffffffffc0400000


def write(path, data, mode='w'):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.exists(dst):
        os.unlink(dst)
    os.link(src, dst)


def run(*args):
    return subprocess.run(args, capture_output=True, text=True,
                          check=True).stdout


def build_id(path):
    return re.search(r'Build ID: ([0-9a-f]+)', run('readelf', '-n', path)).group(1)


def note(hex_id):
    d = bytes.fromhex(hex_id)
    return struct.pack('<III', 4, len(d), 3) + b'GNU\0' + d


def main(tree, root, rel):
    vmlinux = f'{tree}/usr/lib/debug/boot/vmlinux-{rel}'
    system_map = f'{tree}/usr/lib/debug/boot/System.map-{rel}'
    write(f'{root}/proc/sys/kernel/osrelease', rel + '\n')
    write(f'{root}/sys/kernel/notes', note(build_id(vmlinux)), 'wb')
    link(vmlinux, f'{root}/usr/lib/debug/boot/vmlinux-{rel}')
    link(system_map, f'{root}/usr/lib/debug/boot/System.map-{rel}')
    mods = f'{root}/lib/modules/{rel}'
    kdir = f'{tree}/lib/modules/{rel}/'
    for f in ('modules.builtin', 'modules.builtin.modinfo', 'modules.order'):
        link(kdir + f, f'{mods}/{f}')
    kallsyms = []
    for line in open(system_map):
        a, t, n = line.split()[:3]
        a = int(a, 16)
        if a >= 0x1000000:
            a += SLIDE
        kallsyms.append('%016x %s %s\n' % (a, t, n))
    proc, dep = [], []
    base = MODULE_BASE
    for dirpath, _, files in sorted(os.walk(kdir + 'kernel')):
        for f in sorted(files):
            if not f.endswith('.ko.xz'):
                continue
            rel_ko = os.path.join(dirpath, f)[len(kdir):]
            debug = f'{tree}/usr/lib/debug/lib/modules/{rel}/{rel_ko[:-3]}'
            name = f[:-len('.ko.xz')].replace('-', '_')
            # Each allocated section (but .init*) at its own page-aligned
            # address; symbol values are relative to their section (a
            # debug .ko may carry section addresses: subtract them).
            size, shaddr = {}, {}
            for l in run('readelf', '-SW', debug).splitlines():
                m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+'
                             r'[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)', l)
                if m and 'A' in m.group(4) and not m.group(1).startswith('.init'):
                    size[m.group(1)] = int(m.group(3), 16)
                    shaddr[m.group(1)] = int(m.group(2), 16)
            at = {}
            for s in sorted(size):
                at[s] = base
                base += (size[s] + 0x1000) & ~0xfff
            base = (base + 0xfffff) & ~0xfffff
            for s, a in at.items():
                write(f'{root}/sys/module/{name}/sections/{s}', '0x%016x\n' % a)
            write(f'{root}/sys/module/{name}/notes/.note.gnu.build-id',
                  note(build_id(debug)), 'wb')
            proc.append('%s 65536 0 - Live 0x%016x\n' % (name, min(at.values())))
            for l in run('nm', '--format=sysv', '--defined-only', debug).splitlines():
                p = [x.strip() for x in l.split('|')]
                if len(p) < 7 or not p[0] or p[6] not in at:
                    continue
                kallsyms.append('%016x %s %s\t[%s]\n' % (
                    at[p[6]] + int(p[1], 16) - shaddr[p[6]], p[2], p[0], name))
            link(kdir + rel_ko, f'{mods}/{rel_ko}')
            link(debug, f'{root}/usr/lib/debug/lib/modules/{rel}/{rel_ko[:-3]}')
            dep.append(rel_ko + ':\n')
    write(f'{root}/proc/kallsyms', ''.join(kallsyms))
    write(f'{root}/proc/modules', ''.join(proc))
    write(f'{mods}/modules.dep', ''.join(dep))


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
