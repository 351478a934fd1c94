#include "symbolizer/rewriter/rewriter.h"

#include <stdio.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

// Adds one symbol to a hand-made kernel; `object` nullptr leaves it without
// one, a `size` of 0 leaves the size to FinalizeSizes (a known size is exact).
void AddSymbol(Catalog& c, uint64_t address, const char* name, char type,
               const char* object, uint32_t modules, uint64_t size = 0) {
  Symbol s;
  s.address = address;
  s.name = name;
  s.type = type;
  s.size = size;
  s.size_exact = size != 0;
  s.module_set = modules;
  if (object != nullptr) s.object = c.InternObject(object);
  c.symbols.push_back(s);
}

// A small kernel: the real symbols behind the perf and ftrace lines below
// (addresses and neighbours from this machine's /proc/kallsyms), plus
// duplicates like those of a distribution kernel.
std::unique_ptr<Symbolizer> Kernel() {
  Catalog c;
  auto add = [&c](uint64_t address, const char* name, char type,
                  const char* object = nullptr,
                  uint32_t modules = kNoModules) {
    AddSymbol(c, address, name, type, object, modules);
  };
  const uint32_t rapl = c.InternModuleSet({"rapl"});
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.loadable_module_sets.insert(ext4);
  add(0xffffffff81000000, "_text", 'T');
  add(0xffffffff81000000, "_stext", 'T');
  add(0xffffffff81000000, "startup_64", 't');
  add(0xffffffff810000ba, "entry_SYSCALL_64_after_hwframe", 'T',
      "arch/x86/entry/entry_64.o");
  add(0xffffffff81000138, "syscall_return_via_sysret", 't',
      "arch/x86/entry/entry_64.o");
  add(0xffffffff81200000, "init_once", 't', "fs/inode.o");
  add(0xffffffff81200040, "iget_locked", 'T', "fs/inode.o");
  add(0xffffffff81200100, "init_once", 't', "fs/fat/inode.o");
  add(0xffffffff81200180, "fat_iget", 'T', "fs/fat/inode.o");
  add(0xffffffff81300000, "rapl_cpu_offline", 't', "arch/x86/events/rapl.o",
      rapl);
  add(0xffffffff81300100, "weak_fn", 'W', "kernel/cpu.o");
  add(0xffffffff81300100, "strong_fn", 't', "kernel/cpu.o");
  add(0xffffffff81300200, "noreturn_caller", 't', "kernel/cpu.o");
  add(0xffffffff81300240, "next_after_noreturn", 't', "kernel/cpu.o");
  add(0xffffffff815e31f0, "unmap_page_range", 'T', "mm/memory.o");
  add(0xffffffff815e4650, "__pfx_unmap_single_vma.isra.0", 't', "mm/memory.o");
  add(0xffffffff815ff410, "___pte_offset_map", 'T', "mm/pgtable-generic.o");
  add(0xffffffff815ff510, "__pfx_pte_offset_map_ro_nolock", 'T',
      "mm/pgtable-generic.o");
  add(0xffffffff816c56e0, "bprm_execve", 't', "fs/exec.o");
  add(0xffffffff816c5bf0, "__pfx_setup_arg_pages", 'T', "fs/exec.o");
  add(0xffffffff816c6e70, "do_execveat_common.isra.0", 't', "fs/exec.o");
  add(0xffffffff816c7020, "__pfx_path_noexec", 'T', "fs/exec.o");
  add(0xffffffff816c8030, "__x64_sys_execve", 'T', "fs/exec.o");
  add(0xffffffff816c8080, "__pfx___ia32_sys_execve", 'T', "fs/exec.o");
  add(0xffffffff816d0000, "do_execveat_common.isra.0", 't', "fs/binfmt_misc.o");
  add(0xffffffff816d0100, "bm_init", 't', "fs/binfmt_misc.o");
  add(0xffffffff81700000, "type_show", 't', "drivers/base/core.o");
  add(0xffffffff81700100, "type_show", 't', "block/genhd.o");
  add(0xffffffff81700200, "disk_release", 't', "block/genhd.o");
  add(0xffffffff821ef620, "do_syscall_64", 'T', "arch/x86/entry/syscall_64.o");
  add(0xffffffff821ef8a0, "__pfx___do_fast_syscall_32", 't',
      "arch/x86/entry/syscall_64.o");
  add(0xffffffff82400000, "__start_rodata", 'D');
  add(0xffffffffc0a01000, "ext4_fill_super", 't', nullptr, ext4);
  add(0xffffffffc0a01040, "init_once", 't', nullptr, ext4);
  add(0xffffffffc0a01100, "ext4_exit_fs", 't', nullptr, ext4);
  c.FinalizeSizes();
  Disambiguate(c);
  return testutil::SymbolizerOfBuilt(c);
}

const Symbolizer& K() {
  static const Symbolizer* k = Kernel().release();
  return *k;
}

std::string Rewrite(absl::string_view line, RewriteOptions options = {}) {
  Rewriter r(K(), options);
  return r.RewriteLine(line);
}

TEST(KernelFixtureTest, DisambiguationAnnotatesTheDuplicates) {
  // The expectations below rest on these names.
  auto qual = [](uint64_t a) {
    return K().QualifiedName(K().Lookup(a).symbol);
  };
  EXPECT_EQ(qual(0xffffffff81200000), "init_once {fs/inode.o}");
  EXPECT_EQ(qual(0xffffffff81200100), "init_once {fat/inode.o}");
  EXPECT_EQ(qual(0xffffffffc0a01040), "init_once [ext4]");
  EXPECT_EQ(qual(0xffffffff816c56e0), "bprm_execve {exec.o}");
  EXPECT_EQ(qual(0xffffffff81300000), "rapl_cpu_offline [rapl]");
  EXPECT_EQ(qual(0xffffffff815ff410), "___pte_offset_map");
}

// Lines captured from `perf record -a -g -- sleep 1; perf script` here.
TEST(RewriterTest, PerfScriptRealLinesStayWhenUnique) {
  for (const char* line : {
           "\tffffffff815ff43b ___pte_offset_map+0x2b ([kernel.kallsyms])",
           "\tffffffff81000130 entry_SYSCALL_64_after_hwframe+0x76 "
           "([kernel.kallsyms])",
           "       perf-exec 31712 [001]  3274.537817:     250000 "
           "cpu-clock:ppp:  ffffffff815e36cd unmap_page_range+0x4dd "
           "([kernel.kallsyms])",
       }) {
    Rewriter r(K());
    EXPECT_EQ(r.RewriteLine(line), line);
    EXPECT_EQ(r.stats().resolved, 1u) << line;
  }
}

TEST(RewriterTest, PerfScriptDuplicateGetsObject) {
  EXPECT_EQ(Rewrite("\tffffffff816c7016 do_execveat_common.isra.0+0x1a6 "
                    "([kernel.kallsyms])"),
            "\tffffffff816c7016 do_execveat_common.isra.0+0x1a6 {exec.o} "
            "([kernel.kallsyms])");
  EXPECT_EQ(Rewrite("\tffffffff81200112 init_once+0x12 ([kernel.kallsyms])"),
            "\tffffffff81200112 init_once+0x12 {fat/inode.o} "
            "([kernel.kallsyms])");
  // -F ip,sym,dso without symoff, and -F ip,sym.
  EXPECT_EQ(Rewrite("       perf-exec 31680  ffffffff81200012 init_once "
                    "([kernel.kallsyms])"),
            "       perf-exec 31680  ffffffff81200012 init_once {fs/inode.o} "
            "([kernel.kallsyms])");
  EXPECT_EQ(Rewrite("ffffffff81200012 init_once"),
            "ffffffff81200012 init_once {fs/inode.o}");
}

TEST(RewriterTest, PerfScriptAliasIsKept) {
  // ksym would say _stext; perf's startup_64 is as true and stays.
  Rewriter r(K());
  EXPECT_EQ(r.RewriteLine("\tffffffff81000010 startup_64+0x10 "
                          "([kernel.kallsyms])"),
            "\tffffffff81000010 startup_64+0x10 ([kernel.kallsyms])");
  // ksym prefers the strong alias; perf printed the weak one.
  EXPECT_EQ(r.RewriteLine("\tffffffff81300104 weak_fn+0x4 ([kernel.kallsyms])"),
            "\tffffffff81300104 weak_fn+0x4 ([kernel.kallsyms])");
  EXPECT_EQ(r.stats().resolved, 2u);
  EXPECT_EQ(r.stats().mismatched, 0u);
}

TEST(RewriterTest, AWrongNameIsKeptAndMarkedNeverRenamed) {
  Rewriter r(K());
  EXPECT_EQ(r.RewriteLine("\tffffffff81200112 iget_locked+0x12 "
                          "([kernel.kallsyms])"),
            "\tffffffff81200112 iget_locked+0x12 (mismatch, index: "
            "init_once+0x12/0x80 {fat/inode.o}) ([kernel.kallsyms])");
  // Right name, wrong offset.
  EXPECT_EQ(r.RewriteLine("\tffffffff81200112 init_once+0x13 "
                          "([kernel.kallsyms])"),
            "\tffffffff81200112 init_once+0x13 (mismatch, index: "
            "init_once+0x12/0x80 {fat/inode.o}) ([kernel.kallsyms])");
  // An oops frame keeps its printed module too.
  EXPECT_EQ(r.RewriteLine(" [<ffffffff81200112>] iget_locked+0x77/0xc0 [mem]"),
            " [<ffffffff81200112>] iget_locked+0x77/0xc0 [mem] (mismatch, "
            "index: init_once+0x12/0x80 {fat/inode.o})");
  EXPECT_EQ(r.stats().mismatched, 3u);
  EXPECT_EQ(r.stats().resolved, 0u);
}

TEST(RewriterTest, MarkingIsIdempotent) {
  Rewriter r(K());
  const std::string once = r.RewriteLine(
      "\tffffffff81200112 iget_locked+0x12 ([kernel.kallsyms])");
  EXPECT_EQ(r.RewriteLine(once), once);
}

TEST(RewriterTest, ManyMismatchesSayTheIndexDoesNotMatch) {
  RewriteStats s;
  s.frames = 10;
  s.mismatched = 1;
  EXPECT_FALSE(IndexMismatchLikely(s));
  s.mismatched = 2;
  s.frames = 100;
  EXPECT_FALSE(IndexMismatchLikely(s));
  s.frames = 20;
  EXPECT_TRUE(IndexMismatchLikely(s));
  EXPECT_NE(IndexMismatchWarning(s).find("does not match this trace"),
            std::string::npos);
}

TEST(RewriterTest, PerfScriptNamesTheIndexDoesNotKnowAreMarked) {
  Rewriter r(K());
  const std::string bpf =
      "\tffffffff81200112 bpf_prog_6deef7357e7b4530_sys_enter+0x12 "
      "([kernel.kallsyms])";
  EXPECT_EQ(r.RewriteLine(bpf),
            "\tffffffff81200112 bpf_prog_6deef7357e7b4530_sys_enter+0x12 "
            "(not placed: no symbol named bpf_prog_6deef7357e7b4530_sys_enter "
            "in the index) ([kernel.kallsyms])");
  EXPECT_EQ(r.RewriteLine(r.RewriteLine(bpf)), r.RewriteLine(bpf));
  EXPECT_EQ(r.stats().unresolved, 4u);
  EXPECT_EQ(r.stats().frames, 4u);
}

// The running kernel's BPF programs, as api/live_pseudo answers them.
std::optional<LiveFrame> LiveBpf(uint64_t address) {
  const uint64_t start = 0xffffffffc0b00000;
  if (address < start || address >= start + 0x40) return std::nullopt;
  LiveFrame f;
  f.name = "bpf_prog_715e0f2e5866e0b2_ksym_scale";
  f.offset = address - start;
  f.suffix = " [bpf] (BPF program 159, /src/p.c:11:13)";
  f.text = absl::StrCat(f.name, "+0x", absl::Hex(f.offset), f.suffix);
  return f;
}

TEST(RewriterTest, LiveBpfFramesOfTheRunningKernel) {
  RewriteOptions o;
  o.live_frame = LiveBpf;
  Rewriter r(K(), o);
  // perf script: the same program (the tag hashes its instructions) gets
  // its source line and id.
  EXPECT_EQ(r.RewriteLine("\tffffffffc0b00010 "
                          "bpf_prog_715e0f2e5866e0b2_ksym_scale+0x10 "
                          "([kernel.kallsyms])"),
            "\tffffffffc0b00010 bpf_prog_715e0f2e5866e0b2_ksym_scale+0x10 "
            "[bpf] (BPF program 159, /src/p.c:11:13) ([kernel.kallsyms])");
  EXPECT_EQ(r.stats().resolved, 1u);
  // Another program there now: never its line; not placed, as without.
  EXPECT_EQ(r.RewriteLine("\tffffffffc0b00010 "
                          "bpf_prog_0123456789abcdef_other+0x10 "
                          "([kernel.kallsyms])"),
            "\tffffffffc0b00010 bpf_prog_0123456789abcdef_other+0x10 "
            "(not placed: no symbol named bpf_prog_0123456789abcdef_other in "
            "the index) ([kernel.kallsyms])");
  EXPECT_EQ(r.stats().unresolved, 1u);
  // A bare address: what is loaded there now, said as such.
  EXPECT_EQ(r.RewriteLine(" ? 0xffffffffc0b00004"),
            " ? 0xffffffffc0b00004 (now: "
            "bpf_prog_715e0f2e5866e0b2_ksym_scale+0x4 [bpf] (BPF program 159, "
            "/src/p.c:11:13))");
  for (const char* line :
       {"\tffffffffc0b00010 bpf_prog_715e0f2e5866e0b2_ksym_scale+0x10 "
        "([kernel.kallsyms])",
        " ? 0xffffffffc0b00004", " [<ffffffffc0b00008>]"}) {
    EXPECT_EQ(r.RewriteLine(r.RewriteLine(line)), r.RewriteLine(line)) << line;
  }
  // Without the hook, nothing changes.
  Rewriter plain(K());
  EXPECT_EQ(plain.RewriteLine(" 0xffffffffc0b00004"), " 0xffffffffc0b00004");
}

TEST(RewriterTest, PerfScriptUnknownSymbolStays) {
  // perf writes [unknown] for frame-pointer garbage in user callchains
  // (real line: eu-addr2line's callchain); naming it would invent a frame.
  for (const char* line : {"\tffffffff8242c94a [unknown] ([unknown])",
                           "\tffffffff81200012 [unknown] ([unknown])"}) {
    Rewriter r(K());
    EXPECT_EQ(r.RewriteLine(line), line);
    EXPECT_EQ(r.stats().frames, 0u);
  }
}

TEST(RewriterTest, UserSpaceFramesAreUntouched) {
  for (const char* line : {
           "\t           d4ad7 __GI___execve+0x7 "
           "(/usr/lib/x86_64-linux-gnu/libc.so.6)",
           "\t    7f1234567890 __libc_start_main+0x80 "
           "(/usr/lib/x86_64-linux-gnu/libc.so.6)",
           "\t    7f95b96ac0c8 init_once+0x12 (/usr/lib/libfoo.so.1)",
           "\tffffffff81200112 init_once+0x12 (/usr/lib/libfoo.so.1)",
           "\t           640c8 [unknown] "
           "(/usr/lib/x86_64-linux-gnu/libdw-0.188.so)",
           "    eu-addr2line 31574 [000]  3274.537748:     250000 "
           "cpu-clock:ppp:      7f95b96ac523 [unknown] "
           "(/usr/lib/x86_64-linux-gnu/libdw-0.188.so)",
       }) {
    Rewriter r(K());
    EXPECT_EQ(r.RewriteLine(line), line);
    EXPECT_EQ(r.stats().frames, 0u) << line;
  }
}

TEST(RewriterTest, OopsFrameUniqueBySize) {
  // LEN 0x40 is fs/inode.o's init_once, 0x80 fat's (scripts/faddr2line).
  EXPECT_EQ(Rewrite(" init_once+0x12/0x40"),
            " init_once+0x12/0x40 {fs/inode.o}");
  EXPECT_EQ(Rewrite(" ? init_once+0x12/0x80"),
            " ? init_once+0x12/0x80 {fat/inode.o}");
  EXPECT_EQ(Rewrite("RIP: 0010:init_once+0x12/0x40"),
            "RIP: 0010:init_once+0x12/0x40 {fs/inode.o}");
  EXPECT_EQ(Rewrite("[  236.363034] WARNING: CPU: 0 PID: 1 at fs/inode.c:123 "
                    "init_once+0x12/0x40"),
            "[  236.363034] WARNING: CPU: 0 PID: 1 at fs/inode.c:123 "
            "init_once+0x12/0x40 {fs/inode.o}");
  EXPECT_EQ(Rewrite(" rapl_cpu_offline+0x10/0x100"),
            " rapl_cpu_offline+0x10/0x100 [rapl]");
}

TEST(RewriterTest, OopsFrameModules) {
  // Loadable module frames already carry [mod].
  for (const char* line :
       {" ext4_fill_super+0x1c/0x40 [ext4]", " init_once+0x12/0xc0 [ext4]"}) {
    Rewriter r(K());
    EXPECT_EQ(r.RewriteLine(line), line);
    EXPECT_EQ(r.stats().resolved, 1u) << line;
  }
  // The build id is kept; this index has none for ext4 to check it with.
  const std::string with_id =
      " ext4_fill_super+0x1c/0x40 [ext4 "
      "8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]";
  Rewriter with(K());
  EXPECT_EQ(with.RewriteLine(with_id),
            with_id + " (build-id not checked: the index has no build-id for "
                      "ext4)");
  EXPECT_EQ(with.stats().resolved, 1u);
  // Without [ext4] the kernel would have printed it: ext4's init_once (the
  // only one of size 0xc0) is no candidate.
  Rewriter r(K());
  EXPECT_EQ(r.RewriteLine(" init_once+0x12/0xc0"),
            " init_once+0x12/0xc0 (not placed: the init_once 0xc0 long is in "
            "init_once [ext4], a loadable module, and the frame names no "
            "[module] (the kernel would have))");
  EXPECT_EQ(r.stats().unresolved, 1u);
  // A module the index does not have.
  EXPECT_EQ(r.RewriteLine(" init_once+0x12/0x40 [xfs]"),
            " init_once+0x12/0x40 [xfs] (not placed: the index has no module "
            "xfs)");
  EXPECT_EQ(r.stats().unresolved, 2u);
}

TEST(RewriterTest, OopsFrameAmbiguous) {
  Rewriter r(K());
  EXPECT_EQ(r.RewriteLine(" type_show+0x1c/0x100"),
            " type_show+0x1c/0x100 (ambiguous, 2 candidates: type_show "
            "{core.o} | type_show {genhd.o})");
  EXPECT_EQ(r.stats().ambiguous, 1u);
  // A qualifier that narrows it is replaced by the canonical one.
  EXPECT_EQ(r.RewriteLine(" type_show+0x1c/0x100 {base/core.o}"),
            " type_show+0x1c/0x100 {core.o}");
}

TEST(RewriterTest, AmbiguityNoteListsAtMostTheLimit) {
  RewriteOptions options;
  options.max_listed_candidates = 1;
  EXPECT_EQ(Rewrite(" type_show+0x1c/0x100", options),
            " type_show+0x1c/0x100 (ambiguous, 2 candidates: type_show "
            "{core.o} | ...)");
}

TEST(RewriterTest, FullObjectPathOnRequest) {
  RewriteOptions options;
  options.full_object_path = true;
  const std::string once = Rewrite(" type_show+0x1c/0x100 {base/core.o}", options);
  EXPECT_EQ(once, " type_show+0x1c/0x100 {drivers/base/core.o}");
  EXPECT_EQ(Rewrite(once, options), once);  // still idempotent
  EXPECT_EQ(Rewrite("ffffffff81200112 init_once+0x12 ([kernel.kallsyms])",
                    options),
            "ffffffff81200112 init_once+0x12 {fs/fat/inode.o} "
            "([kernel.kallsyms])");
}

TEST(RewriterTest, AppendAddresses) {
  RewriteOptions options;
  options.append_addresses = true;
  EXPECT_EQ(Rewrite(" init_once+0x12/0x80", options),
            " init_once+0x12/0x80 {fat/inode.o} <ffffffff81200112>");
  EXPECT_EQ(Rewrite(" => bprm_execve", options),
            " => bprm_execve {exec.o} <ffffffff816c56e0>");
  // Frames that already have an address get no second one.
  EXPECT_EQ(Rewrite(" [<ffffffff81200112>] init_once+0x12/0x80", options),
            " [<ffffffff81200112>] init_once+0x12/0x80 {fat/inode.o}");
}

// A static index against a KASLR kernel's trace: printed addresses are the
// index's plus the offset.
TEST(RewriterTest, KaslrOffsetMovesPrintedAddresses) {
  RewriteOptions options;
  options.kaslr_offset = 0x2a400000;
  EXPECT_EQ(Rewrite(" [<ffffffffab600112>] init_once+0x12/0x80", options),
            " [<ffffffffab600112>] init_once+0x12/0x80 {fat/inode.o}");
  EXPECT_EQ(Rewrite(" 0xffffffffab600112", options),
            " 0xffffffffab600112 (init_once+0x12/0x80 {fat/inode.o})");
  options.append_addresses = true;
  EXPECT_EQ(Rewrite(" init_once+0x12/0x80", options),
            " init_once+0x12/0x80 {fat/inode.o} <ffffffffab600112>");
  // Without it the same frame does not match the index.
  Rewriter r(K());
  EXPECT_NE(r.RewriteLine(" [<ffffffffab600112>] init_once+0x12/0x80"),
            " [<ffffffffab600112>] init_once+0x12/0x80 {fat/inode.o}");
}

TEST(RewriterTest, OldFormatAddressDecides) {
  EXPECT_EQ(Rewrite(" [<ffffffff81200112>] init_once+0x12/0x80"),
            " [<ffffffff81200112>] init_once+0x12/0x80 {fat/inode.o}");
  EXPECT_EQ(Rewrite(" [<ffffffff81200012>] ? init_once+0x12/0x40"),
            " [<ffffffff81200012>] ? init_once+0x12/0x40 {fs/inode.o}");
  // A wrong size does not matter when the address is known.
  EXPECT_EQ(Rewrite(" [<ffffffff81200012>] init_once+0x12/0x44"),
            " [<ffffffff81200012>] init_once+0x12/0x44 {fs/inode.o}");
}

TEST(RewriterTest, ReturnAddressAtTheEndOfANoreturnCaller) {
  // noreturn_caller is 0x40 long: +0x40 is the next symbol's first byte.
  Rewriter r(K());
  EXPECT_EQ(r.RewriteLine(" [<ffffffff81300240>] noreturn_caller+0x40/0x40"),
            " [<ffffffff81300240>] noreturn_caller+0x40/0x40");
  EXPECT_EQ(r.stats().mismatched, 0u);
}

TEST(RewriterTest, FtraceFunctionTracer) {
  EXPECT_EQ(Rewrite("            bash-1234    [001] .....   123.456789: "
                    "init_once <-iget_locked"),
            "            bash-1234    [001] .....   123.456789: init_once "
            "(ambiguous, 3 candidates: init_once {fs/inode.o} | init_once "
            "{fat/inode.o} | init_once [ext4]) <-iget_locked {fs/inode.o}");
  EXPECT_EQ(Rewrite("           sleep-31848   [001] .....  3393.244897: "
                    "bprm_execve <-do_execveat_common.isra.0"),
            "           sleep-31848   [001] .....  3393.244897: bprm_execve "
            "{exec.o} <-do_execveat_common.isra.0 (ambiguous, 2 candidates: "
            "do_execveat_common.isra.0 {exec.o} | do_execveat_common.isra.0 "
            "{binfmt_misc.o})");
}

// Lines captured from tracefs with options/stacktrace (then sym-offset and
// sym-addr) on sched_process_exec.
TEST(RewriterTest, FtraceStackTrace) {
  EXPECT_EQ(Rewrite(" => bprm_execve"), " => bprm_execve {exec.o}");
  EXPECT_EQ(Rewrite(" => do_syscall_64"), " => do_syscall_64");
  EXPECT_EQ(Rewrite(" => bprm_execve+0x4a5/0x510 <ffffffff816c5b85>"),
            " => bprm_execve+0x4a5/0x510 {exec.o} <ffffffff816c5b85>");
  EXPECT_EQ(Rewrite(" => entry_SYSCALL_64_after_hwframe+0x76/0x7e "
                    "<ffffffff81000130>"),
            " => entry_SYSCALL_64_after_hwframe+0x76/0x7e <ffffffff81000130>");
  EXPECT_EQ(Rewrite(" => __x64_sys_execve+0x34/0x50"),
            " => __x64_sys_execve+0x34/0x50 {exec.o}");
}

TEST(RewriterTest, AvailableFilterFunctionsAddrs) {
  // The patch-site address may lie past the symbol start.
  EXPECT_EQ(Rewrite("ffffffff81200104 init_once"),
            "ffffffff81200104 init_once {fat/inode.o}");
  EXPECT_EQ(Rewrite("ffffffffc0a01044 init_once [ext4]"),
            "ffffffffc0a01044 init_once [ext4]");
}

TEST(RewriterTest, BareAddresses) {
  EXPECT_EQ(Rewrite(" 0xffffffff81200112"),
            " 0xffffffff81200112 (init_once+0x12/0x80 {fat/inode.o})");
  EXPECT_EQ(Rewrite(" [<ffffffffc0a01044>]"),
            " [<ffffffffc0a01044>] (init_once+0x4/0xc0 [ext4])");
  EXPECT_EQ(Rewrite("ffffffff815ff43b"),
            "ffffffff815ff43b (___pte_offset_map+0x2b/0x100)");
  EXPECT_EQ(Rewrite("\tffffffff815ff43b ([kernel.kallsyms])"),
            "\tffffffff815ff43b (___pte_offset_map+0x2b/0x100) "
            "([kernel.kallsyms])");
  Rewriter r(K());
  EXPECT_EQ(r.RewriteLine("RAX: ffff888266d1f7c0 RBX: ffffffff81200112 RCX: "
                          "000000000000001f"),
            "RAX: ffff888266d1f7c0 RBX: ffffffff81200112 (init_once+0x12/0x80 "
            "{fat/inode.o}) RCX: 000000000000001f");
  // Only the text address counts as a frame.
  EXPECT_EQ(r.stats().frames, 1u);
}

TEST(RewriterTest, UnplaceableAddressesStay) {
  for (const char* line : {
           "RDX: 0000a83bb7548757 RSI: 00000000471c7c22 RDI: 0000000000000000",
           "RSP: 0018:ffffc900000b7e68 EFLAGS: 00000246 ORIG_RAX: "
           "ffffffffffffff04",
           "---[ end trace 35af283ba7f2cd94 ]---",
           " 0xffffffff82400010",  // data
           "ffffffffc0a01101",     // past the last symbol
       }) {
    Rewriter r(K());
    EXPECT_EQ(r.RewriteLine(line), line);
    EXPECT_EQ(r.stats().frames, 0u) << line;
  }
}

TEST(RewriterTest, NonFrameLinesAreByteIdentical) {
  for (const char* line : {
           "",
           "perf-exec 31680 [001]  3267.777377:     250000 cpu-clock:ppp: ",
           "Call Trace:",
           " <TASK>",
           "Modules linked in: ext4 mbcache jbd2",
           "CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0-28-cloud-amd64 #1",
           "Code: 89 c6 e8 bc bc 9f ff 45 84 ff 74 17 9c 58 0f 1f 44 00 <45> "
           "85",
           "ffffffff81200100 t init_once",
           "ffffffff81300000 t rapl_cpu_offline\t[rapl]",
           "# tracer: nop",
           "            true-31847   [000] .....  3390.378917: <stack trace>",
           "init_once is defined twice",
           "\x01\xff\tinit_once+0x12",
       }) {
    Rewriter r(K());
    EXPECT_EQ(r.RewriteLine(line), line);
    EXPECT_EQ(r.stats().frames, 0u) << line;
  }
}

const char kMixed[] =
    "perf-exec 31680 [001]  3267.777377:     250000 cpu-clock:ppp: \n"
    "\tffffffff815ff43b ___pte_offset_map+0x2b ([kernel.kallsyms])\n"
    "\tffffffff816c7016 do_execveat_common.isra.0+0x1a6 ([kernel.kallsyms])\n"
    "\tffffffff81200112 iget_locked+0x12 ([kernel.kallsyms])\n"
    "\tffffffff81200012 init_once+0x12 ([kernel.kallsyms])\n"
    "\t           d4ad7 __GI___execve+0x7 "
    "(/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "Call Trace:\r\n"
    " <TASK>\r\n"
    " ? init_once+0x12/0x40\r\n"
    " type_show+0x1c/0x100\r\n"
    " init_once+0x12/0xc0 [ext4]\r\n"
    " rapl_cpu_offline+0x10/0x100\r\n"
    " 0xffffffff81200112\r\n"
    " [<ffffffff81300240>] noreturn_caller+0x40/0x40\n"
    "RBX: ffffffff81200112 RCX: 000000000000001f\n"
    "     bash-1234    [001] .....   123.456789: init_once <-iget_locked\n"
    " => bprm_execve+0x4a5/0x510 <ffffffff816c5b85>\n"
    " => do_execveat_common.isra.0\n"
    "ffffffff81200104 init_once";

TEST(RewriterTest, RewriteTextKeepsLineEnds) {
  Rewriter r(K());
  EXPECT_EQ(r.RewriteText(""), "");
  EXPECT_EQ(r.RewriteText("\n\n"), "\n\n");
  EXPECT_EQ(r.RewriteText(" init_once+0x12/0x40\r\n init_once+0x12/0x80"),
            " init_once+0x12/0x40 {fs/inode.o}\r\n init_once+0x12/0x80 "
            "{fat/inode.o}");
  EXPECT_EQ(r.stats().lines, 4u);
}

TEST(RewriterTest, Stats) {
  Rewriter r(K());
  r.RewriteText(kMixed);
  const RewriteStats& s = r.stats();
  EXPECT_EQ(s.lines, 20u);
  // Frames: 4 perf, 4 oops, 1 bare, 1 old, 1 register, 2 function tracer,
  // 2 ftrace stack, 1 filter function.
  EXPECT_EQ(s.frames, 16u);
  EXPECT_EQ(s.ambiguous, 3u);  // type_show, init_once, do_execveat_common
  EXPECT_EQ(s.unresolved, 0u);
  EXPECT_EQ(s.resolved, 12u);
  EXPECT_EQ(s.mismatched, 1u);  // iget_locked
}

TEST(RewriterTest, RewritingTwiceIsRewritingOnce) {
  for (bool append : {false, true}) {
    RewriteOptions options;
    options.append_addresses = append;
    Rewriter r(K(), options);
    const std::string once = r.RewriteText(kMixed);
    EXPECT_NE(once, kMixed);
    EXPECT_EQ(r.RewriteText(once), once) << "append_addresses=" << append;
  }
}

TEST(RewriterTest, RandomLinesAreIdempotent) {
  // Fragments of every format, its own annotations and near misses.
  const std::vector<std::string> pieces = {
      " ",
      "\t",
      "[<",
      ">]",
      "<-",
      " <-",
      " => ",
      "(",
      ")",
      "<",
      ">",
      "[",
      "]",
      "{",
      "}",
      "/",
      "+",
      ":",
      "?",
      " ? ",
      "0x",
      "t ",
      " T ",
      "ffffffff81200012",
      "ffffffff81200112",
      "ffffffff81200104",
      "ffffffffc0a01044",
      "ffffffff81000010",
      "ffffffff81300100",
      "ffffffff8242c94a",
      "0xffffffff81300240",
      "[<ffffffff81200112>]",
      "init_once",
      "type_show",
      "startup_64",
      "iget_locked",
      "weak_fn",
      "strong_fn",
      "bprm_execve",
      "do_execveat_common.isra.0",
      "ext4",
      "noreturn_caller+0x40/0x40",
      "+0x12",
      "+0x4",
      "+0x40",
      "/0x40",
      "/0x80",
      "/0x100",
      "/0xc0",
      " [ext4]",
      " [rapl]",
      "\t[rapl]",
      " 8b2c2a4d",
      " {inode.o}",
      " {fat/inode.o}",
      "[unknown]",
      " ([kernel.kallsyms])",
      " ([ext4])",
      " (/usr/lib/libc.so.6)",
      " <ffffffff81200112>",
      " (ambiguous, ",
      " (",
      "(init_once+0x12/0x80 {fat/inode.o})"};
  std::mt19937 rng(7);
  for (bool append : {false, true}) {
    RewriteOptions options;
    options.append_addresses = append;
    Rewriter r(K(), options);
    for (int round = 0; round < 50000; ++round) {
      std::string line;
      const int n = rng() % 14;
      for (int k = 0; k < n; ++k) line += pieces[rng() % pieces.size()];
      const std::string once = r.RewriteLine(line);
      ASSERT_EQ(r.RewriteLine(once), once) << "input: " << line;
    }
  }
}

std::string ReadAll(FILE* f) {
  std::string out;
  rewind(f);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

TEST(RewriteStreamTest, RewritesEveryLine) {
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  fputs(kMixed, in);
  rewind(in);
  Rewriter r(K());
  EXPECT_TRUE(RewriteStream(in, out, &r, /*flush_each_line=*/true).ok());
  Rewriter expected(K());
  EXPECT_EQ(ReadAll(out), expected.RewriteText(kMixed));
  EXPECT_EQ(r.stats().lines, 20u);
  fclose(in);
  fclose(out);
}

// A source check that fails stops the stream before that line: nothing
// after it is answered, and the error is returned.
TEST(RewriteStreamTest, AFailedSourceCheckStopsBeforeTheLine) {
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  fputs("a\nb\nc\nd", in);
  rewind(in);
  Rewriter r(K());
  RewriteStreamOptions o;
  std::vector<uint64_t> asked;
  o.check_source = [&](uint64_t line) {
    asked.push_back(line);
    return line == 3 ? absl::DataLossError("index changed") : absl::OkStatus();
  };
  absl::Status st = RewriteStream(in, out, &r, o);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadAll(out), "a\nb\n");
  EXPECT_EQ(asked, (std::vector<uint64_t>{1, 2, 3}));
  // The last line, without a newline, is checked too.
  rewind(in);
  FILE* out2 = tmpfile();
  asked.clear();
  o.check_source = [&](uint64_t line) {
    asked.push_back(line);
    return line == 4 ? absl::DataLossError("index changed") : absl::OkStatus();
  };
  EXPECT_FALSE(RewriteStream(in, out2, &r, o).ok());
  EXPECT_EQ(ReadAll(out2), "a\nb\nc\n");
  fclose(in);
  fclose(out);
  fclose(out2);
}

// A line longer than max_line is copied unchanged and said, never held
// whole; the lines around it are rewritten as usual, NUL bytes included.
TEST(RewriteStreamTest, OverlongLinesAreCopiedUnchanged) {
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  const std::string frame = " init_once+0x12/0x40";
  const std::string huge = frame + std::string(300 << 10, 'x');
  const std::string with_nul = std::string("a\0b", 3) + frame;
  const std::string text = frame + "\n" + huge + "\n" + with_nul + "\n" +
                           huge;  // the last line has no newline
  fwrite(text.data(), 1, text.size(), in);
  rewind(in);
  Rewriter r(K());
  RewriteStreamOptions options;
  options.max_line = 100 << 10;
  std::vector<std::pair<uint64_t, uint64_t>> long_lines;
  options.on_long_line = [&](uint64_t n, uint64_t len) {
    long_lines.push_back({n, len});
  };
  ASSERT_TRUE(RewriteStream(in, out, &r, options).ok());
  Rewriter expected(K());
  EXPECT_EQ(ReadAll(out), expected.RewriteLine(frame) + "\n" + huge + "\n" +
                              expected.RewriteLine(with_nul) + "\n" + huge);
  EXPECT_NE(expected.RewriteLine(frame), frame);  // it was rewritten
  EXPECT_EQ(long_lines, (std::vector<std::pair<uint64_t, uint64_t>>{
                            {2, huge.size()}, {4, huge.size()}}));
  fclose(in);
  fclose(out);
}

// The panic's "Kernel Offset:" line comes after the frames it applies to:
// they are held back and rewritten with it; lines after it use the given
// offset (0) and are said.
TEST(RewriteStreamTest, KernelOffsetLineAppliesToTheLinesBeforeIt) {
  const std::string text =
      " [<ffffffffab600112>] init_once+0x12/0x80\n"
      " ? 0xffffffffab600112\n"
      "[   9.1] Kernel Offset: 0x2a400000 from 0xffffffff81000000 "
      "(relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n"
      " [<ffffffff81200112>] init_once+0x12/0x80";
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  fwrite(text.data(), 1, text.size(), in);
  rewind(in);
  Rewriter r(K());
  RewriteStreamOptions options;
  options.kernel_offset_from_text = true;
  std::vector<std::string> told;
  options.on_kernel_offset = [&](uint64_t n, const KernelOffsetLine& k,
                                 uint64_t first) {
    told.push_back(absl::StrCat(n, ":", absl::Hex(k.offset), ":", first));
  };
  options.on_released = [&](uint64_t first, uint64_t last) {
    told.push_back(absl::StrCat("released ", first, "-", last));
  };
  ASSERT_TRUE(RewriteStream(in, out, &r, options).ok());
  EXPECT_EQ(ReadAll(out),
            " [<ffffffffab600112>] init_once+0x12/0x80 {fat/inode.o}\n"
            " ? 0xffffffffab600112 (init_once+0x12/0x80 {fat/inode.o})\n"
            "[   9.1] Kernel Offset: 0x2a400000 from 0xffffffff81000000 "
            "(relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n"
            " [<ffffffff81200112>] init_once+0x12/0x80 {fat/inode.o}");
  EXPECT_EQ(told, (std::vector<std::string>{"3:2a400000:1", "released 4-4"}));
  EXPECT_EQ(r.stats().mismatched, 0u);
  EXPECT_EQ(r.options().kaslr_offset, 0u);
  fclose(in);
  fclose(out);
}

// Without an offset line, everything comes out at the end, unannounced,
// exactly as without holding.
TEST(RewriteStreamTest, NoKernelOffsetLineIsPlainRewriting) {
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  fputs(kMixed, in);
  rewind(in);
  Rewriter r(K());
  RewriteStreamOptions options;
  options.kernel_offset_from_text = true;
  options.max_held = 64;  // released early, and said
  int released = 0;
  options.on_released = [&](uint64_t, uint64_t) { ++released; };
  ASSERT_TRUE(RewriteStream(in, out, &r, options).ok());
  Rewriter expected(K());
  EXPECT_EQ(ReadAll(out), expected.RewriteText(kMixed));
  EXPECT_GT(released, 0);
  fclose(in);
  fclose(out);
}

TEST(RewriteStreamTest, ReadAndWriteErrors) {
  Rewriter r(K());
  FILE* write_only = fopen("/dev/null", "w");
  FILE* read_only = fopen("/dev/null", "r");
  ASSERT_NE(write_only, nullptr);
  ASSERT_NE(read_only, nullptr);
  absl::Status s = RewriteStream(write_only, write_only, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "reading input: Bad file descriptor");

  FILE* in = tmpfile();
  ASSERT_NE(in, nullptr);
  fputs(" init_once+0x12/0x40\n", in);
  rewind(in);
  s = RewriteStream(in, read_only, &r, /*flush_each_line=*/true);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "writing output: Bad file descriptor");
  fclose(in);
  fclose(write_only);
  fclose(read_only);
}

}  // namespace
}  // namespace ksym

namespace ksym {
namespace {

// An index without object files (as built from /proc/kallsyms alone): the
// two `dup` stay ambiguous, and every frame naming one says so.
std::unique_ptr<Symbolizer> NoObjects() {
  Catalog c;
  auto add = [&](uint64_t address, const char* name) {
    Symbol s;
    s.address = address;
    s.name = name;
    s.type = 't';
    c.symbols.push_back(s);
  };
  add(0xffffffff81000000, "_stext");
  add(0xffffffff81000100, "dup");
  add(0xffffffff81000200, "dup");
  add(0xffffffff81000300, "solo");
  add(0xffffffff81000400, "end");
  c.FinalizeSizes();
  return testutil::SymbolizerOfBuilt(c);
}

TEST(RewriterTest, PinnedFramesWhoseNameIsNotUniqueAreMarked) {
  auto s = NoObjects();
  Rewriter r(*s);
  const std::string kIn =
      "ffffffff81000204 dup+0x4 ([kernel.kallsyms])\n"
      " dup+0x4/0x100\n"
      " 0xffffffff81000104\n"
      "ffffffff81000310 solo+0x10 ([kernel.kallsyms])";
  const std::string out = r.RewriteText(kIn);
  EXPECT_EQ(out,
            "ffffffff81000204 dup+0x4 (ambiguous, 2 candidates; this one: dup "
            "@0xffffffff81000200) ([kernel.kallsyms])\n"
            " dup+0x4/0x100 (ambiguous, 2 candidates: dup @0xffffffff81000100 | "
            "dup @0xffffffff81000200)\n"
            " 0xffffffff81000104 (dup+0x4/0x100 (ambiguous, 2 candidates; this "
            "one: dup @0xffffffff81000100))\n"
            "ffffffff81000310 solo+0x10 ([kernel.kallsyms])");
  EXPECT_EQ(r.stats().duplicated, 3u);
  EXPECT_EQ(r.stats().not_unique, 3u);
  EXPECT_EQ(r.stats().resolved, 3u);
  EXPECT_EQ(r.stats().ambiguous, 1u);
  Rewriter again(*s);
  EXPECT_EQ(again.RewriteText(out), out);
}

// Exact ELF sizes shorter than the distance to the next symbol (alignment
// padding): what the rewriter writes says the kernel's length, as %pS
// would print the frame and as scripts/faddr2line compares it.
TEST(RewriterTest, WrittenFramesCarryTheKernelLength) {
  Catalog c;
  auto add = [&](uint64_t address, const char* name, uint64_t size) {
    Symbol s;
    s.address = address;
    s.name = name;
    s.type = 't';
    s.size = size;
    s.size_exact = true;
    c.symbols.push_back(s);
  };
  add(0xffffffff81000000, "_stext", 0x10);
  add(0xffffffff81000100, "padded", 0x64);  // next symbol 0x70 later
  add(0xffffffff81000170, "other", 0x20);
  add(0xffffffff81000200, "end", 0x10);
  c.FinalizeSizes();
  const std::unique_ptr<Symbolizer> s = testutil::SymbolizerOfBuilt(c);
  Rewriter r(*s);
  EXPECT_EQ(r.RewriteLine(" 0xffffffff81000112"),
            " 0xffffffff81000112 (padded+0x12/0x70)");
  EXPECT_EQ(r.RewriteLine(" [<ffffffff81000112>] other+0x12/0x20"),
            " [<ffffffff81000112>] other+0x12/0x20 (mismatch, index: "
            "padded+0x12/0x70)");
}

// No frame passes silently: every one the index cannot place says why on
// its line, is counted, and a second run leaves the note as it is. Lines
// that only look like addresses are not frames.
TEST(RewriterTest, FramesThatCannotBePlacedAreMarked) {
  Rewriter r(K());
  const std::string in =
      " ? init_once+0x23/0x71\n"
      " init_once+0x90/0x80\n"
      " no_such_fn+0x10/0x20\n"
      " init_once+0x1000\n"
      "clocksource: tsc: mask: 0xffffffffffffffff max_cycles: 0x2b3e459bf4c\n";
  const std::string out = r.RewriteText(in);
  EXPECT_EQ(out,
            " ? init_once+0x23/0x71 (not placed: no init_once is 0x71 long; "
            "the index has 0x40, 0x80)\n"
            " init_once+0x90/0x80 (not placed: offset 0x90 is past the length "
            "0x80)\n"
            " no_such_fn+0x10/0x20 (not placed: no symbol named no_such_fn in "
            "the index)\n"
            " init_once+0x1000\n"
            "clocksource: tsc: mask: 0xffffffffffffffff max_cycles: "
            "0x2b3e459bf4c\n");
  EXPECT_EQ(r.stats().frames, 3u);
  EXPECT_EQ(r.stats().unresolved, 3u);
  Rewriter again(K());
  EXPECT_EQ(again.RewriteText(out), out);
  EXPECT_EQ(again.stats().unresolved, 3u);
}

// bpftrace kstack (decimal offsets) and ftrace function_graph lines get
// what oops and ftrace frames get: qualifiers, notes, and idempotence.
TEST(RewriterTest, BpftraceAndFunctionGraphFrames) {
  Rewriter r(K());
  const std::string in =
      "    iget_locked+18\n"
      "    fat_iget+18\n"
      "    type_show+18\n"
      " 0)               |  fat_iget() {\n"
      " 0)   0.570 us    |    type_show();\n"
      " 0)   3.807 us    |  } /* bm_init */\n"
      " 0)   0.570 us    |    no_such_fn();\n";
  const std::string out = r.RewriteText(in);
  EXPECT_EQ(out,
            "    iget_locked+18 {fs/inode.o}\n"
            "    fat_iget+18 {fat/inode.o}\n"
            "    type_show+18 (ambiguous, 2 candidates: type_show {core.o} | "
            "type_show {genhd.o})\n"
            " 0)               |  fat_iget {fat/inode.o}() {\n"
            " 0)   0.570 us    |    type_show (ambiguous, 2 candidates: "
            "type_show {core.o} | type_show {genhd.o})();\n"
            " 0)   3.807 us    |  } /* bm_init {binfmt_misc.o} */\n"
            " 0)   0.570 us    |    no_such_fn (not placed: no symbol named "
            "no_such_fn in the index)();\n");
  EXPECT_EQ(r.stats().frames, 7u);
  Rewriter again(K());
  EXPECT_EQ(again.RewriteText(out), out);
}

// Found by the rewriter fuzzer: a "(not placed: ...)" note put before an
// ftrace `<-` made the line look like function_graph (a `)` before its
// last `|`), so a second run annotated a name the first had not. Only a
// CPU column (" 0)") makes a line function_graph.
TEST(RewriterTest, ANoteIsNotAFunctionGraphCpuColumn) {
  const std::string in = "no_such_fn <-0|x() {";
  Rewriter r(K());
  const std::string out = r.RewriteText(in);
  EXPECT_EQ(out, "no_such_fn (not placed: no symbol named no_such_fn in the "
                 "index) <-0|x() {");
  Rewriter again(K());
  EXPECT_EQ(again.RewriteText(out), out);
  // With the CPU column after funcgraph-abstime's `|`, still function_graph.
  Rewriter abstime(K());
  EXPECT_EQ(abstime.RewriteText(" 2479.381234 |   0)               |  "
                                "fat_iget() {"),
            " 2479.381234 |   0)               |  fat_iget {fat/inode.o}() {");
}

}  // namespace
}  // namespace ksym

namespace ksym {
namespace {

// Two init_once of different lengths, each with its own lines (the second
// inlines a helper), and a loadable module's init_once: --lines.
std::unique_ptr<Symbolizer> KernelWithLines() {
  Catalog c;
  auto add = [&c](uint64_t address, const char* name, uint64_t size,
                  const char* object, uint32_t modules = kNoModules) {
    AddSymbol(c, address, name, 't', object, modules, size);
  };
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.loadable_module_sets.insert(ext4);
  c.identity.address_space = AddressSpace::kRuntime;
  c.identity.kaslr_offset = 0x1000000;
  add(0xffffffff82200000, "init_once", 0x40, "fs/inode.o");
  add(0xffffffff82200100, "init_once", 0x80, "fs/fat/inode.o");
  add(0xffffffffc0a01040, "init_once", 0x40, nullptr, ext4);
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "/build/linux/"};
  t.files = {{}, {1, "fs/inode.c"}, {1, "fs/fat/inode.c"},
             {1, "include/linux/list.h"}};
  t.names = {"init_once", "INIT_LIST_HEAD"};
  t.rows = {{0, 1, 400, 0}, {0, 2, 700, 0}, {0x10, 3, 38, 2}};
  t.inline_ranges = {{0x10, 0x20}};
  t.calls = {{1, kNoParent, 2, 705, 3, 0, 1}};
  t.functions = {{0, 0xffffffff81200000, 0x40, 0, 0, 1, 0, 0},
                 {0, 0xffffffff81200100, 0x80, 0, 1, 2, 0, 1}};
  c.lines = std::make_shared<const LineTable>(std::move(t));
  c.FinalizeSizes();
  Disambiguate(c);
  return testutil::SymbolizerOfBuilt(c);
}

TEST(RewriterLinesTest, TheRightCopysLinesAsDecodeStacktracePrintsThem) {
  std::unique_ptr<Symbolizer> k = KernelWithLines();
  RewriteOptions options;
  options.lines = true;
  Rewriter r(*k, options);
  // LEN picks the fs/fat copy: its lines, the inlined helper first.
  EXPECT_EQ(r.RewriteLine(" init_once+0x12/0x80"),
            " init_once+0x12/0x80 (include/linux/list.h:38 "
            "fs/fat/inode.c:705) {fat/inode.o}");
  // The first copy's kernel length (%pS) runs to the next symbol: 0x100.
  EXPECT_EQ(r.RewriteLine(" init_once+0x12/0x100"),
            " init_once+0x12/0x100 (fs/inode.c:400) {fs/inode.o}");
  // perf script: the address decides.
  EXPECT_EQ(r.RewriteLine("\tffffffff82200105 init_once+0x5 ([kernel.kallsyms])"),
            "\tffffffff82200105 init_once+0x5 (fs/fat/inode.c:700) "
            "{fat/inode.o} ([kernel.kallsyms])");
  // A loadable module's frame: said, not answered from the vmlinux.
  const std::string module = r.RewriteLine(" init_once+0x12/0x40 [ext4]");
  EXPECT_NE(module.find("(no source lines: the index has no loadable "
                        "module's lines: it was built by a ksym that reads "
                        "none (rebuild it)) [ext4]"),
            std::string::npos)
      << module;
  // Without the option nothing changes.
  Rewriter plain(*k, {});
  EXPECT_EQ(plain.RewriteLine(" init_once+0x12/0x80"),
            " init_once+0x12/0x80 {fat/inode.o}");
}

TEST(RewriterLinesTest, DecodeStacktraceShapeWithTheRightCopy) {
  std::unique_ptr<Symbolizer> k = KernelWithLines();
  RewriteOptions options;
  options.decode_stacktrace = true;
  Rewriter r(*k, options);
  // The script's words and shape (timestamp, `?`, no offset, the module
  // after); the fs/fat copy's lines, which LEN selects.
  EXPECT_EQ(r.RewriteLine("[   12.345678]  ? init_once+0x12/0x80"),
            "[   12.345678] ? init_once (include/linux/list.h:38 "
            "fs/fat/inode.c:705) ");
  // `[<ADDR>]` decides, and is dropped as the script drops it.
  EXPECT_EQ(r.RewriteLine(" [<ffffffff82200105>] init_once+0x5/0x100"),
            "init_once (fs/fat/inode.c:700) ");
  EXPECT_EQ(r.RewriteLine("RIP: 0010:init_once+0x12/0x100"),
            "RIP: 0010:init_once (fs/inode.c:400) ");
  // What the script has no place for is appended: no lines of a module's
  // frame, an ambiguous or unplaced frame.
  // Notes come after the module: the script's shape stays whole.
  const std::string module = r.RewriteLine(" init_once+0x12/0x40 [ext4]");
  EXPECT_TRUE(absl::StartsWith(module, "init_once+0x12/0x40 ext4 (no source lines: "))
      << module;
  // An address that places nothing (zeroed, hashed) or disagrees with the
  // name: the script decodes by name, and so does ksym, saying what the
  // address said.
  EXPECT_EQ(r.RewriteLine("[<0000000000000000>] init_once+0x12/0x80"),
            "init_once (include/linux/list.h:38 fs/fat/inode.c:705) ");
  const std::string moved = r.RewriteLine("[<ffffffff82200105>] init_once+0x12/0x80");
  EXPECT_TRUE(absl::StartsWith(
      moved, "init_once (include/linux/list.h:38 fs/fat/inode.c:705)  (mismatch, index: "))
      << moved;
  EXPECT_EQ(r.RewriteLine(" init_once+0x1/0x2000"),
            "init_once+0x1/0x2000  (not placed: no init_once is 0x2000 "
            "long; the index has 0x80, 0x100)");
  // Lines without a frame are echoed as bash's `read` leaves them.
  EXPECT_EQ(r.RewriteLine("  Call Trace:  "), "Call Trace:");
}

// ---- Module build ids (CONFIG_STACKTRACE_BUILD_ID, `[mod BUILDID]`) ----

// The module frames of testdata/traces/oops-buildid.txt, a real 6.16 oops.
std::vector<std::string> BuildIdFrameLines() {
  std::ifstream in("testdata/traces/oops-buildid.txt");
  EXPECT_TRUE(in.good());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    // Ends in "[mod BUILDID]" (the "[     T64]" caller id is no module).
    const size_t open = line.rfind('[');
    const size_t space = line.find(' ', open);
    if (!absl::StartsWith(line, "#") && absl::EndsWith(line, "]") &&
        open != std::string::npos && space != std::string::npos &&
        line.size() - space - 2 == 40) {
      lines.push_back(line);
    }
  }
  return lines;
}

// An index holding the sample's module functions at the lengths it prints;
// `build_ids` gives each loaded module's record (a module missing from it
// has neither record nor symbols); "" records an unknown build id.
std::unique_ptr<Symbolizer> ModuleKernel(
    const std::vector<std::pair<std::string, std::string>>& build_ids) {
  struct Fn {
    const char* module;
    const char* name;
    uint64_t length;
  };
  const Fn fns[] = {
      {"cfg80211", "cfg80211_shutdown_all_interfaces", 0xf0},
      {"mac80211", "fq_tin_reset.constprop.0", 0x80},
      {"mac80211", "ieee80211_txq_purge", 0xc0},
      {"mac80211", "ieee80211_do_stop", 0x980},
      {"mac80211", "ieee80211_stop", 0xe0},
      {"mac80211", "ieee80211_remove_interfaces", 0x220},
      {"mac80211", "ieee80211_unregister_hw", 0x130},
      {"rsi_91x", "rsi_mac80211_detach", 0x80},
      {"rsi_usb", "rsi_disconnect", 0x220},
  };
  Catalog c;
  c.identity.address_space = AddressSpace::kRuntime;
  uint64_t base = 0xffffffffc0a00000;
  for (const auto& [module, build_id] : build_ids) {
    const uint32_t set = c.InternModuleSet({module});
    c.loadable_module_sets.insert(set);
    LoadedModuleRecord m;
    m.name = module;
    m.base = base;
    m.build_id = build_id;
    uint64_t at = base;
    for (const Fn& fn : fns) {
      if (module != fn.module) continue;
      Symbol s;
      s.address = at;
      s.name = fn.name;
      s.type = 't';
      s.size = fn.length;
      s.size_exact = true;
      s.module_set = set;
      c.symbols.push_back(s);
      at += fn.length;
    }
    m.size = at - base;
    c.modules.push_back(m);
    base += 0x100000;
  }
  std::sort(c.modules.begin(), c.modules.end(),
            [](const LoadedModuleRecord& a, const LoadedModuleRecord& b) {
              return a.name < b.name;
            });
  c.FinalizeSizes();
  Disambiguate(c);
  return testutil::SymbolizerOfBuilt(c);
}

// The build ids the sample prints.
const std::vector<std::pair<std::string, std::string>> kSampleBuildIds = {
    {"cfg80211", "dd16b5aa15c7e1bea6a27abe1c3536b4e8d54dde"},
    {"mac80211", "929346fed04d387366a55c8dfe4baff0095fbbe6"},
    {"rsi_91x", "a6efdcfea87ad896e34b827cf5122ed0585a3c7c"},
    {"rsi_usb", "e6893aa53c0a54e986015b3fc93cd4ca1a5408f9"},
};

TEST(RewriterBuildIdTest, MatchingBuildIdsArePlacedAndKept) {
  const std::vector<std::string> lines = BuildIdFrameLines();
  ASSERT_EQ(lines.size(), 9u);
  std::unique_ptr<Symbolizer> k = ModuleKernel(kSampleBuildIds);
  Rewriter r(*k);
  for (const std::string& line : lines) {
    EXPECT_EQ(r.RewriteLine(line), line);  // unique: nothing to add
  }
  EXPECT_EQ(r.stats().frames, 9u);
  EXPECT_EQ(r.stats().resolved, 9u);
  // Build ids are hex in any case.
  std::string upper = lines[0];
  const size_t id = upper.rfind(' ') + 1;
  for (size_t i = id; i < upper.size(); ++i) upper[i] = toupper(upper[i]);
  EXPECT_EQ(r.RewriteLine(upper), upper);
}

// Rewrites every module frame of the sample: the other modules' lines stay
// as they are, mac80211's get `note` appended (and, with `again`, stay so
// when rewritten once more). Returns how many mac80211 lines there were.
size_t ExpectMac80211Note(Rewriter& r, const std::string& note, bool again) {
  size_t mac80211 = 0;
  for (const std::string& line : BuildIdFrameLines()) {
    const std::string out = r.RewriteLine(line);
    if (!absl::StrContains(line, "[mac80211 ")) {
      EXPECT_EQ(out, line);
      continue;
    }
    ++mac80211;
    EXPECT_EQ(out, line + note);
    if (again) EXPECT_EQ(r.RewriteLine(out), out);
  }
  return mac80211;
}

TEST(RewriterBuildIdTest, AnotherBuildOfTheModuleIsSaidNotPlaced) {
  std::vector<std::pair<std::string, std::string>> ids = kSampleBuildIds;
  ids[1].second = "0123456789abcdef0123456789abcdef01234567";  // mac80211
  std::unique_ptr<Symbolizer> k = ModuleKernel(ids);
  Rewriter r(*k);
  // Idempotent: the note is recognized.
  EXPECT_EQ(ExpectMac80211Note(r,
                               " (not placed: the index's mac80211 has "
                               "build-id 0123456789abcdef0123456789abcdef0123"
                               "4567, another build than the frame's)",
                               /*again=*/true),
            6u);
  EXPECT_EQ(r.stats().unresolved, 12u);  // each once, then again
  EXPECT_EQ(r.stats().resolved, 3u);
}

TEST(RewriterBuildIdTest, AModuleTheIndexLacksIsSaid) {
  std::vector<std::pair<std::string, std::string>> ids = kSampleBuildIds;
  ids.erase(ids.begin() + 1);  // no mac80211: neither record nor symbols
  std::unique_ptr<Symbolizer> k = ModuleKernel(ids);
  Rewriter r(*k);
  EXPECT_EQ(ExpectMac80211Note(
                r, " (not placed: the index has no module mac80211)",
                /*again=*/false),
            6u);
  EXPECT_EQ(r.stats().unresolved, 6u);
}

TEST(RewriterBuildIdTest, AnUnknownBuildIdIsSaidUnchecked) {
  // A runtime index from kallsyms alone knows no build ids: the frame is
  // placed by name and length as before, and says its build-id was not
  // checked.
  std::vector<std::pair<std::string, std::string>> ids = kSampleBuildIds;
  ids[1].second = "";  // mac80211
  std::unique_ptr<Symbolizer> k = ModuleKernel(ids);
  Rewriter r(*k);
  // Idempotent: the note is recognized and written again.
  EXPECT_EQ(ExpectMac80211Note(r,
                               " (build-id not checked: the index has no "
                               "build-id for mac80211)",
                               /*again=*/true),
            6u);
  EXPECT_EQ(r.stats().resolved, 9u + 6u);
  EXPECT_EQ(r.stats().unresolved, 0u);
}

// A bare address in the padding after a nested label: the kernel's name,
// and the inference said (query/past_size.h).
TEST(RewriterTest, AnAddressPastANestedLabelsSizeSaysWhatItInferred) {
  Catalog c;
  AddSymbol(c, 0xffffffff81e01940, "_stext", 'T', nullptr, kNoModules);
  AddSymbol(c, 0xffffffff81e019bf, "retbleed_untrain_ret", 'T', nullptr,
            kNoModules, 0x9);
  AddSymbol(c, 0xffffffff81e019c0, "retbleed_return_thunk", 'T', nullptr,
            kNoModules, 0x2);
  AddSymbol(c, 0xffffffff81e01a3e, "srso_untrain_ret", 'T', nullptr,
            kNoModules, 0x14);
  c.FinalizeSizes();
  const std::unique_ptr<Symbolizer> s = testutil::SymbolizerOfBuilt(c);
  Rewriter w(*s, {});
  EXPECT_EQ(w.RewriteLine(" [<ffffffff81e019c5>]"),
            " [<ffffffff81e019c5>] (retbleed_return_thunk+0x5/0x7e (past its "
            "size 0x2, inside retbleed_untrain_ret+0x6/0x9: named as the "
            "kernel names it, the nearest symbol below))");
  EXPECT_EQ(w.RewriteLine(" [<ffffffff81e019c1>]"),
            " [<ffffffff81e019c1>] (retbleed_return_thunk+0x1/0x7e)");
}

}  // namespace
}  // namespace ksym
