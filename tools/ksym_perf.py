# ksym_perf.py: perf script's Python handler that prints every sample's
# call chain with ksym's unique kernel names:
#
#   perf record -g -- COMMAND
#   PYTHONPATH=PREFIX/lib/python3/dist-packages perf script -s tools/ksym_perf.py
#
#   dd 4112/4112 [001] 1234.567890 cpu-clock:
#   	ffffffff81460ec2 init_once+0x12/0x70 {ext4/super.o} ([kernel.kallsyms])
#   	    7f0e1b2c3d4e __GI___libc_write (/usr/lib/x86_64-linux-gnu/libc.so.6)
#
# Kernel frames get exactly what `ksym lookup` prints for their address
# (`name+0xOFF/0xLEN [mod] {obj}`, or `?? (reason)`), from the running
# kernel's index ($KSYM_INDEX, else the cached one, built when missing);
# user-space frames keep perf's symbol.
import os
import sys

import ksym

# Where x86-64 and arm64 kernels map their text: the upper half.
KERNEL_START = 0xffff800000000000

_index = ksym.Index.running()


def _user_symbol(frame):
    sym = frame.get("sym")
    if sym and sym.get("name"):
        return sym["name"]
    return "[unknown]"


def process_event(param_dict):
    sample = param_dict.get("sample", {})
    secs, nsecs = divmod(sample.get("time", 0), 1000000000)
    cpu = sample.get("cpu", -1)
    cpu = "[%03d]" % cpu if 0 <= cpu < 0xffffffff else "[-]"
    lines = ["%s %d/%d %s %d.%06d %s:" % (
        param_dict.get("comm", "?"), sample.get("pid", -1),
        sample.get("tid", -1), cpu, secs, nsecs // 1000,
        param_dict.get("ev_name", "?"))]
    chain = param_dict.get("callchain") or [
        {"ip": sample.get("ip", 0), "sym": param_dict.get("symbol") and
         {"name": param_dict["symbol"]}, "dso": param_dict.get("dso", "")}]
    for frame in chain:
        ip = frame.get("ip", 0)
        if ip >= KERNEL_START:
            text = _index.frame(ip)
        else:
            text = _user_symbol(frame)
        lines.append("\t%16x %s (%s)" % (ip, text, frame.get("dso", "[unknown]")))
    sys.stdout.write("\n".join(lines) + "\n\n")


def trace_end():
    sys.stdout.flush()
