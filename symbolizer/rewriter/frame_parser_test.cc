#include "symbolizer/rewriter/frame_parser.h"

#include <fstream>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// "kind `replaced bytes` @address name +off /len quals=`...` note".
std::string Describe(absl::string_view line, const FrameSpan& f) {
  std::string out = absl::StrCat(FrameKindName(f.kind), " `",
                                 line.substr(f.begin, f.end - f.begin), "`");
  if (f.has_address) {
    absl::StrAppend(&out, " @", absl::Hex(f.address, absl::kZeroPad16));
  }
  if (!f.name.empty()) absl::StrAppend(&out, " ", f.name);
  if (f.symbol != f.name) absl::StrAppend(&out, " sym=", f.symbol);
  if (f.offset) absl::StrAppend(&out, " +", absl::Hex(*f.offset));
  if (f.length) absl::StrAppend(&out, " /", absl::Hex(*f.length));
  if (!f.qualifiers.empty())
    absl::StrAppend(&out, " quals=`", f.qualifiers, "`");
  if (f.has_note) out += " note";
  return out;
}

std::vector<std::string> Frames(absl::string_view line) {
  std::vector<std::string> out;
  for (const FrameSpan& f : FindFrames(line)) out.push_back(Describe(line, f));
  return out;
}

using Strings = std::vector<std::string>;

// Lines captured from `perf record -a -g -- sleep 1; perf script` on the
// 6.18 kernel this was written on.
TEST(FindFramesTest, PerfScriptCallchain) {
  EXPECT_EQ(
      Frames("\tffffffff815ff43b ___pte_offset_map+0x2b ([kernel.kallsyms])"),
      Strings({"addressed `___pte_offset_map+0x2b` @ffffffff815ff43b "
               "___pte_offset_map sym=___pte_offset_map+0x2b +2b"}));
  EXPECT_EQ(
      Frames("\tffffffff816c7016 do_execveat_common.isra.0+0x1a6 "
             "([kernel.kallsyms])"),
      Strings({"addressed `do_execveat_common.isra.0+0x1a6` @ffffffff816c7016 "
               "do_execveat_common.isra.0 sym=do_execveat_common.isra.0+0x1a6 "
               "+1a6"}));
  // perf had the kernel symbols and placed it nowhere: garbage from a
  // user-space callchain (real line).
  EXPECT_EQ(Frames("\tffffffff8242c94a [unknown] ([unknown])"), Strings());
}

TEST(FindFramesTest, PerfScriptSampleLineAndFieldVariants) {
  EXPECT_EQ(Frames("       perf-exec 31712 [001]  3274.537817:     250000 "
                   "cpu-clock:ppp:  ffffffff815e36cd unmap_page_range+0x4dd "
                   "([kernel.kallsyms])"),
            Strings({"addressed `unmap_page_range+0x4dd` @ffffffff815e36cd "
                     "unmap_page_range sym=unmap_page_range+0x4dd +4dd"}));
  // perf script -F comm,pid,ip,sym,dso: no offset.
  EXPECT_EQ(Frames("       perf-exec 31680  ffffffff815ff43b ___pte_offset_map "
                   "([kernel.kallsyms])"),
            Strings({"addressed `___pte_offset_map` @ffffffff815ff43b "
                     "___pte_offset_map"}));
  // perf script -F ip,sym: no DSO either.
  EXPECT_EQ(Frames("ffffffff815ff43b ___pte_offset_map"),
            Strings({"addressed `___pte_offset_map` @ffffffff815ff43b "
                     "___pte_offset_map"}));
  // perf script -F ip,dso: only an address.
  EXPECT_EQ(Frames("\tffffffff815ff43b ([kernel.kallsyms])"),
            Strings({"bare-address `` @ffffffff815ff43b"}));
}

TEST(FindFramesTest, UserSpaceFramesAreNotFrames) {
  for (const char* line : {
           "\t           d4ad7 __GI___execve+0x7 "
           "(/usr/lib/x86_64-linux-gnu/libc.so.6)",
           "\t           640c8 [unknown] "
           "(/usr/lib/x86_64-linux-gnu/libdw-0.188.so)",
           "    eu-addr2line 31574 [000]  3274.537996:     250000 "
           "cpu-clock:ppp:      7f95b965d080 gelf_getshdr@plt+0x0 "
           "(/usr/lib/x86_64-linux-gnu/libdw-0.188.so)",
           "\t    558c34561cd8 [unknown] ([unknown])",
           "\t               0 [unknown] ([unknown])",
           // 16 digits, but the DSO says user space.
           "\tffffffff81200112 init_once+0x12 (/usr/lib/libfoo.so)",
           "\tffffffffff600000 [unknown] ([vsyscall])",
           "\tffffffffff600000 ([vdso])",
       }) {
    EXPECT_EQ(Frames(line), Strings()) << line;
  }
}

TEST(FindFramesTest, KernelDsoPaths) {
  EXPECT_EQ(Frames("\tffffffff815ff43b ___pte_offset_map+0x2b "
                   "(/usr/lib/debug/boot/vmlinux-6.1.0-28-cloud-amd64)")
                .size(),
            1u);
  EXPECT_EQ(Frames("\tffffffffc0a0101c ext4_fill_super+0x1c "
                   "(/lib/modules/6.1.0-28-cloud-amd64/kernel/fs/ext4/ext4.ko)")
                .size(),
            1u);
  EXPECT_EQ(Frames("\tffffffffc0a0101c ext4_fill_super+0x1c ([ext4])").size(),
            1u);
}

TEST(FindFramesTest, OopsFrames) {
  EXPECT_EQ(Frames(" init_once+0x12/0x40"),
            Strings({"symbolic `init_once+0x12/0x40` init_once "
                     "sym=init_once+0x12/0x40 +12 /40"}));
  EXPECT_EQ(Frames(" ? init_once+0x12/0x40"),
            Strings({"symbolic `init_once+0x12/0x40` init_once "
                     "sym=init_once+0x12/0x40 +12 /40"}));
  EXPECT_EQ(Frames("RIP: 0010:init_once+0x12/0x40"),
            Strings({"symbolic `init_once+0x12/0x40` init_once "
                     "sym=init_once+0x12/0x40 +12 /40"}));
  EXPECT_EQ(Frames("[  236.363034]  nf_confirm+0xfd/0x2b0 [nf_conntrack]"),
            Strings({"symbolic `nf_confirm+0xfd/0x2b0 [nf_conntrack]` "
                     "nf_confirm sym=nf_confirm+0xfd/0x2b0 +fd /2b0 "
                     "quals=` [nf_conntrack]`"}));
  EXPECT_EQ(
      Frames(" ext4_fill_super+0x1c/0x40 [ext4 "
             "8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]"),
      Strings({"symbolic `ext4_fill_super+0x1c/0x40 [ext4 "
               "8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]` ext4_fill_super "
               "sym=ext4_fill_super+0x1c/0x40 +1c /40 quals=` [ext4 "
               "8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]`"}));
  EXPECT_EQ(Frames("WARNING: CPU: 0 PID: 1184 at net/core/stream.c:212 "
                   "sk_stream_kill_queues+0xde/0xf0"),
            Strings({"symbolic `sk_stream_kill_queues+0xde/0xf0` "
                     "sk_stream_kill_queues "
                     "sym=sk_stream_kill_queues+0xde/0xf0 +de /f0"}));
  // Assembler labels in kallsyms may start with '.'.
  EXPECT_EQ(Frames(" .slowpath+0x4/0x10"),
            Strings({"symbolic `.slowpath+0x4/0x10` .slowpath "
                     "sym=.slowpath+0x4/0x10 +4 /10"}));
  // journalctl / syslog prefixes.
  EXPECT_EQ(Frames("Apr 18 08:58:32 host kernel: [  236.365412]  "
                   "do_idle+0x1a5/0x275")
                .size(),
            1u);
}

TEST(FindFramesTest, OldFormatWithAddresses) {
  EXPECT_EQ(Frames(" [<ffffffff8105b2e9>] warn_slowpath_common+0x89/0xc0"),
            Strings({"addressed `warn_slowpath_common+0x89/0xc0` "
                     "@ffffffff8105b2e9 warn_slowpath_common "
                     "sym=warn_slowpath_common+0x89/0xc0 +89 /c0"}));
  EXPECT_EQ(Frames(" [<ffffffff8105b2e9>] ? warn_slowpath_common+0x89/0xc0 "
                   "[ext4]"),
            Strings({"addressed `warn_slowpath_common+0x89/0xc0 [ext4]` "
                     "@ffffffff8105b2e9 warn_slowpath_common "
                     "sym=warn_slowpath_common+0x89/0xc0 +89 /c0 "
                     "quals=` [ext4]`"}));
}

TEST(FindFramesTest, FtraceFunctionTracerAndStacks) {
  EXPECT_EQ(Frames("            bash-1234    [001] .....   123.456789: "
                   "do_sys_open <-__x64_sys_openat"),
            Strings({"plain-name `do_sys_open` do_sys_open",
                     "plain-name `__x64_sys_openat` __x64_sys_openat"}));
  // Captured with options/stacktrace, then sym-offset and sym-addr.
  EXPECT_EQ(Frames(" => bprm_execve"),
            Strings({"plain-name `bprm_execve` bprm_execve"}));
  EXPECT_EQ(Frames(" => bprm_execve+0x4a5/0x510 <ffffffff816c5b85>"),
            Strings({"addressed `bprm_execve+0x4a5/0x510` @ffffffff816c5b85 "
                     "bprm_execve sym=bprm_execve+0x4a5/0x510 +4a5 /510"}));
  EXPECT_EQ(Frames("  sleep-31848 [001] .....  3393.244910: do_sys_open "
                   "<ffffffff81234567> <-__x64_sys_openat <ffffffff81234600>"),
            Strings({"addressed `do_sys_open` @ffffffff81234567 do_sys_open",
                     "addressed `__x64_sys_openat` @ffffffff81234600 "
                     "__x64_sys_openat"}));
  // Header and event lines have no frames.
  for (const char* line :
       {"            true-31847   [000] .....  3390.378917: <stack trace>",
        "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
        "          <idle>-0       [001] d.h1.  3393.368635: softirq_raise: "
        "vec=9 [action=RCU]"}) {
    EXPECT_EQ(Frames(line), Strings()) << line;
  }
}

TEST(FindFramesTest, AvailableFilterFunctionsAddrs) {
  EXPECT_EQ(Frames("ffffffff81234560 init_once"),
            Strings({"addressed `init_once` @ffffffff81234560 init_once"}));
  EXPECT_EQ(Frames("ffffffffc0a01004 ext4_fill_super [ext4]"),
            Strings({"addressed `ext4_fill_super [ext4]` @ffffffffc0a01004 "
                     "ext4_fill_super quals=` [ext4]`"}));
}

TEST(FindFramesTest, SymbolTableLinesAreNotFrames) {
  EXPECT_EQ(Frames("ffffffff81000000 T _stext"), Strings());
  EXPECT_EQ(Frames("ffffffff97606f80 t test_msr\t[rapl]"), Strings());
}

TEST(FindFramesTest, BareAddresses) {
  EXPECT_EQ(Frames(" 0xffffffffa06a4368"),
            Strings({"bare-address `` @ffffffffa06a4368"}));
  EXPECT_EQ(Frames(" [<ffffffff81234567>]"),
            Strings({"bare-address `` @ffffffff81234567"}));
  EXPECT_EQ(Frames("RAX: ffff888266d1f7c0 RBX: ffffffff8224e940 RCX: "
                   "000000000000001f"),
            Strings({"bare-address `` @ffff888266d1f7c0",
                     "bare-address `` @ffffffff8224e940",
                     "bare-address `` @000000000000001f"}));
  // The annotation an earlier run appended belongs to the address.
  EXPECT_EQ(Frames(" 0xffffffffa06a4368 (nf_confirm+0x16b/0x2b0 "
                   "[nf_conntrack])"),
            Strings({"bare-address ` (nf_confirm+0x16b/0x2b0 [nf_conntrack])` "
                     "@ffffffffa06a4368"}));
  // Not 16 digits, or part of a longer word.
  for (const char* line :
       {"RIP: 0033:0x7faaf3714992", "ffffffff8123456", "ffffffff812345678",
        "xffffffff81234567", "ffffffff81234567_x",
        "build id 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1"}) {
    EXPECT_EQ(Frames(line), Strings()) << line;
  }
}

TEST(FindFramesTest, OwnAnnotationsAreParsedBack) {
  EXPECT_EQ(Frames(" init_once+0x12/0x40 [rapl] {fs/inode.o}"),
            Strings({"symbolic `init_once+0x12/0x40 [rapl] {fs/inode.o}` "
                     "init_once sym=init_once+0x12/0x40 +12 /40 "
                     "quals=` [rapl] {fs/inode.o}`"}));
  EXPECT_EQ(
      Frames(" init_once+0x12/0x40 (ambiguous, 2 candidates: init_once "
             "{fs/inode.o} | init_once {lib.a(inode.o)}) next"),
      Strings({"symbolic `init_once+0x12/0x40 (ambiguous, 2 candidates: "
               "init_once {fs/inode.o} | init_once {lib.a(inode.o)})` "
               "init_once sym=init_once+0x12/0x40 +12 /40 quals=` "
               "(ambiguous, 2 candidates: init_once {fs/inode.o} | init_once "
               "{lib.a(inode.o)})` note"}));
  EXPECT_EQ(Frames(" init_once+0x12/0x40 {inode.o} <ffffffff81200012>"),
            Strings({"addressed `init_once+0x12/0x40 {inode.o}` "
                     "@ffffffff81200012 init_once sym=init_once+0x12/0x40 "
                     "+12 /40 quals=` {inode.o}`"}));
}

TEST(FindFramesTest, NotFrames) {
  for (const char* line :
       {"", "Call Trace:", " <TASK>", " </IRQ>",
        "Modules linked in: ext4 mbcache jbd2",
        "CPU: 1 PID: 0 Comm: swapper/1 Not tainted 4.4.26-v7+ #915",
        "Code: 89 c6 e8 bc bc 9f ff 45 84 ff 74 17 9c 58 0f 1f 44 00 <45> 85",
        // A name with an offset that is not the kernel's hex form.
        " ksys_read+5", " init_once+0x12/", " init_once+0x/0x40",
        " init_once+0x12/0x40x", "a+b", "init_once"}) {
    EXPECT_EQ(Frames(line), Strings()) << line;
  }
}

TEST(FindFramesTest, ModuleBracketsAndObject) {
  const std::vector<ModuleBracket> b = ModuleBrackets(
      " [liquidio] [liquidio-vf 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1] "
      "{cn23xx_vf_device.o}");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].module, "liquidio");
  EXPECT_EQ(b[0].text, "[liquidio]");
  EXPECT_EQ(b[1].module, "liquidio-vf");
  EXPECT_EQ(b[1].text,
            "[liquidio-vf 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]");
  EXPECT_EQ(ObjectQualifier(" [liquidio] {cn23xx_vf_device.o}"),
            "cn23xx_vf_device.o");
  EXPECT_EQ(ObjectQualifier(" [liquidio]"), "");
  EXPECT_TRUE(ModuleBrackets("").empty());
}

// Spans must be in bounds, ordered and disjoint for any input.
TEST(FindFramesTest, RandomInputKeepsSpansWellFormed) {
  const std::vector<std::string> pieces = {" ",
                                           "\t",
                                           "[<",
                                           ">]",
                                           "<",
                                           ">",
                                           "<-",
                                           " => ",
                                           "(",
                                           ")",
                                           "[",
                                           "]",
                                           "{",
                                           "}",
                                           "0x",
                                           "ffffffff81200012",
                                           "ffffffffc0a01000",
                                           "init_once",
                                           "+0x12",
                                           "/0x40",
                                           "+",
                                           "/",
                                           "?",
                                           " ? ",
                                           "[ext4]",
                                           "{inode.o}",
                                           "[unknown]",
                                           "([kernel.kallsyms])",
                                           "(/usr/lib/libc.so.6)",
                                           kAmbiguityNotePrefix.data(),
                                           "t ",
                                           ":",
                                           "x",
                                           "\r",
                                           "."};
  std::mt19937 rng(42);
  std::vector<FrameSpan> frames;
  for (int round = 0; round < 20000; ++round) {
    std::string line;
    const int n = rng() % 12;
    for (int k = 0; k < n; ++k) {
      if (rng() % 8 == 0) {
        line.push_back(static_cast<char>(rng() % 256));
      } else {
        line += pieces[rng() % pieces.size()];
      }
    }
    FindFrames(line, &frames);
    size_t last = 0;
    for (const FrameSpan& f : frames) {
      ASSERT_LE(last, f.begin) << line;
      ASSERT_LE(f.begin, f.end) << line;
      ASSERT_LE(f.end, line.size()) << line;
      last = f.end;
    }
  }
}

std::vector<std::string> TraceLines(const std::string& file) {
  std::ifstream in("testdata/traces/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "#")) lines.push_back(line);
  }
  return lines;
}

// bpftrace's kstack: one frame a line, decimal offsets (real sample).
TEST(FindFramesTest, BpftraceKstackLines) {
  size_t frames = 0;
  for (const std::string& line : TraceLines("bpftrace-kstack.txt")) {
    const std::vector<FrameSpan> f = FindFrames(line);
    if (!absl::StartsWith(line, "    ")) {
      EXPECT_TRUE(f.empty()) << line;
      continue;
    }
    ASSERT_EQ(f.size(), 1u) << line;
    const size_t plus = line.find('+');
    EXPECT_EQ(f[0].kind, FrameKind::kSymbolic);
    EXPECT_EQ(f[0].name, line.substr(4, plus - 4));
    uint64_t want;
    ASSERT_TRUE(absl::SimpleAtoi(line.substr(plus + 1), &want));
    EXPECT_EQ(f[0].offset, want) << line;  // decimal, as bpftrace prints it
    EXPECT_FALSE(f[0].length.has_value());
    ++frames;
  }
  EXPECT_GT(frames, 0u);
  // Qualifiers and a note an earlier run appended stay with the frame.
  const std::vector<FrameSpan> q =
      FindFrames("    init_once+18 {inode.o} (not placed: x)");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].end, std::string("    init_once+18 {inode.o} (not placed: x)").size());
  EXPECT_TRUE(q[0].has_note);
  // Not a kstack line: text around it, or hex.
  EXPECT_TRUE(FindFrames("    x+18 apples").empty());
  EXPECT_TRUE(FindFrames("init_once+18").empty());
}

// function_graph: calls `NAME() {`, leaves `NAME();`, returns
// `} /* NAME */`, with or without the latency columns (real samples from
// the kernel's Documentation/trace/ftrace.rst).
TEST(FindFramesTest, FunctionGraphLines) {
  size_t frames = 0;
  for (const std::string& line : TraceLines("function-graph.txt")) {
    const std::vector<FrameSpan> f = FindFrames(line);
    const size_t comment = line.find("} /* ");
    const size_t call = line.find("()");
    if (comment == std::string::npos && call == std::string::npos) {
      EXPECT_TRUE(f.empty()) << line;
      continue;
    }
    ASSERT_EQ(f.size(), 1u) << line;
    EXPECT_EQ(f[0].kind, FrameKind::kPlainName);
    std::string want;
    if (comment != std::string::npos) {
      want = line.substr(comment + 5, line.find(" */") - comment - 5);
    } else {
      const size_t start = line.find_last_of(' ', call) + 1;
      want = line.substr(start, call - start);
    }
    EXPECT_EQ(f[0].name, want) << line;
    ++frames;
  }
  EXPECT_GT(frames, 10u);
  // After a rewrite the qualifiers sit between the name and "();".
  const std::vector<FrameSpan> q =
      FindFrames(" 0)   0.570 us    |        init_once {inode.o}();");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].qualifiers, " {inode.o}");
}

// perf script -F ip,sym,symoff and -F ip,sym (no DSO column): kernel
// frames are addressed, perf's `[unknown]` user frames are not frames.
TEST(FindFramesTest, PerfScriptWithoutDso) {
  size_t frames = 0;
  for (const std::string& line : TraceLines("perf-script-ip-sym.txt")) {
    const std::vector<FrameSpan> f = FindFrames(line);
    if (absl::StrContains(line, "[unknown]") || line.empty()) {
      EXPECT_TRUE(f.empty()) << line;
      continue;
    }
    ASSERT_EQ(f.size(), 1u) << line;
    EXPECT_EQ(f[0].kind, FrameKind::kAddressed) << line;
    EXPECT_FALSE(f[0].name.empty()) << line;
    ++frames;
  }
  EXPECT_GT(frames, 5u);
}

// An oops Call Trace with <IRQ> ... </IRQ> and `? ` (unreliable) frames:
// every frame line is one %pS frame, the markers none.
TEST(FindFramesTest, OopsCallTraceWithIrqMarkers) {
  size_t frames = 0;
  for (const std::string& line : TraceLines("oops-irq.txt")) {
    const std::vector<FrameSpan> f = FindFrames(line);
    if (!absl::StartsWith(line, " ? ")) {
      EXPECT_TRUE(f.empty()) << line;
      continue;
    }
    ASSERT_EQ(f.size(), 1u) << line;
    EXPECT_EQ(f[0].kind, FrameKind::kSymbolic);
    EXPECT_EQ(f[0].name, line.substr(3, line.find('+') - 3));
    EXPECT_TRUE(f[0].length.has_value()) << line;
    if (absl::StrContains(line, "[nikal]")) {
      ASSERT_EQ(ModuleBrackets(f[0].qualifiers).size(), 1u);
      EXPECT_EQ(ModuleBrackets(f[0].qualifiers)[0].module, "nikal");
    }
    ++frames;
  }
  EXPECT_EQ(frames, 10u);
}

// A real oops of a CONFIG_STACKTRACE_BUILD_ID kernel (%pSb): every line
// between <TASK> and </TASK> is one %pS frame behind the "[ TIME] [ TID]"
// prefix, and each module frame's bracket gives the module and its 40-hex
// build id. The RIP line is a frame without build id (%pS); the other
// header lines (the CPU line ends in vmlinux's build id) hold no symbol
// frame.
TEST(FindFramesTest, OopsWithModuleBuildIds) {
  size_t frames = 0, module_frames = 0;
  bool in_trace = false;
  for (const std::string& line : TraceLines("oops-buildid.txt")) {
    const std::vector<FrameSpan> f = FindFrames(line);
    size_t symbolic = 0;
    for (const FrameSpan& span : f) {
      if (span.kind == FrameKind::kSymbolic) ++symbolic;
    }
    if (absl::EndsWith(line, "<TASK>") || absl::EndsWith(line, "</TASK>")) {
      in_trace = absl::EndsWith(line, "<TASK>");
      EXPECT_EQ(symbolic, 0u) << line;
      continue;
    }
    const bool rip = absl::StrContains(line, "RIP: 0010:");
    if (!in_trace && !rip) {
      EXPECT_EQ(symbolic, 0u) << line;
      continue;
    }
    ASSERT_EQ(f.size(), 1u) << line;
    const FrameSpan& frame = f[0];
    EXPECT_EQ(frame.kind, FrameKind::kSymbolic) << line;
    // The name is what the line has between "]  " (or "]  ? ", "0010:")
    // and '+'.
    const size_t plus = line.find("+0x");
    ASSERT_NE(plus, std::string::npos) << line;
    size_t start = rip ? line.find("0010:") + 5 : line.find("]  ") + 3;
    if (line.compare(start, 2, "? ") == 0) start += 2;
    EXPECT_EQ(frame.name, line.substr(start, plus - start)) << line;
    EXPECT_TRUE(frame.offset.has_value()) << line;
    EXPECT_TRUE(frame.length.has_value()) << line;
    const std::vector<ModuleBracket> b = ModuleBrackets(frame.qualifiers);
    const size_t open = line.find(" [", plus);
    if (open == std::string::npos) {
      EXPECT_TRUE(b.empty()) << line;
    } else {
      ASSERT_EQ(b.size(), 1u) << line;
      const size_t space = line.find(' ', open + 2);
      const size_t close = line.find(']', open);
      const bool with_id = space < close;
      EXPECT_EQ(b[0].module,
                line.substr(open + 2, (with_id ? space : close) - open - 2))
          << line;
      EXPECT_EQ(b[0].text, line.substr(open + 1, close - open)) << line;
      if (rip) {
        EXPECT_EQ(b[0].build_id, "") << line;
      } else {
        EXPECT_EQ(b[0].build_id.size(), 40u) << line;
        EXPECT_EQ(b[0].build_id, line.substr(space + 1, close - space - 1));
        ++module_frames;
      }
    }
    ++frames;
  }
  EXPECT_EQ(frames, 33u);        // 32 in the Call Trace and RIP
  EXPECT_EQ(module_frames, 9u);  // mac80211 x6, cfg80211, rsi_91x, rsi_usb
}

}  // namespace
}  // namespace ksym
