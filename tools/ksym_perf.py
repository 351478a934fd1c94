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
# user-space frames keep perf's symbol. An index of another kernel than
# perf.data's (`perf buildid-list -k`) is refused before any output.
import os
import subprocess
import sys

import ksym

# Where x86-64 and arm64 kernels map their text: the upper half.
KERNEL_START = 0xffff800000000000

_index = ksym.Index.running()


def _perf_data_path():
    """The -i/--input of the perf process running this script (perf.data
    by default)."""
    try:
        with open("/proc/self/cmdline", "rb") as f:
            args = [a.decode(errors="replace") for a in f.read().split(b"\0")]
    except OSError:
        return "perf.data"
    for k, a in enumerate(args):
        if a in ("-i", "--input") and k + 1 < len(args):
            return args[k + 1]
        if a.startswith("--input="):
            return a[len("--input="):]
        if a.startswith("-i") and len(a) > 2:
            return a[2:]
    return "perf.data"


def _check_kernel_build_id():
    """Refuses an index of another kernel than the one perf.data was
    recorded on: every kernel frame would be named wrongly."""
    want = _index.info().get("build_id") or ""
    path = _perf_data_path()
    try:
        out = subprocess.run(["perf", "buildid-list", "-k", "-i", path],
                             capture_output=True, text=True, timeout=60)
        got = out.stdout.strip().split()[0] if out.stdout.strip() else ""
    except (OSError, subprocess.SubprocessError) as e:
        got, out = "", None
        sys.stderr.write("ksym_perf: kernel build-id of %s not checked: %s\n"
                         % (path, e))
        return
    if not got or not want:
        sys.stderr.write("ksym_perf: kernel build-id not checked: %s\n" % (
            "the index has none" if not want else
            "perf buildid-list -k found none in " + path))
        return
    if got != want:
        sys.stderr.write(
            "ksym_perf: %s was recorded on kernel build-id %s, the index is of "
            "%s: its names would be another kernel's (set KSYM_INDEX to an "
            "index of the recording kernel)\n" % (path, got, want))
        sys.exit(1)


def trace_begin():
    _check_kernel_build_id()


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
