#include "symbolizer/probe/probe_spec.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

// A small kernel: _text, a unique function, init_once twice in the core
// kernel (different objects), data named like a function, and, in the
// runtime variant, loadable module ext4 with its own init_once and a name
// unique inside ext4 but also present in module jbd2.
Catalog Kernel(AddressSpace space, const std::string& release) {
  Catalog c;
  c.identity.address_space = space;
  c.identity.release = release;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "do_exit", 'T', 0x80, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "counter", 'd', 0x8, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "__kprobes_text_start", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "nmi_thing", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000600, "__kprobes_text_end", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000700, "last", 't', 0x10, true));
  const uint32_t inode = c.InternObject("fs/inode.o");
  const uint32_t proc = c.InternObject("fs/proc/inode.o");
  c.objects[inode].annotation = "fs/inode.o";
  c.objects[proc].annotation = "proc/inode.o";
  c.symbols[2].object = inode;
  c.symbols[3].object = proc;
  if (space == AddressSpace::kRuntime) {
    const uint32_t ext4 = c.InternModuleSet({"ext4"});
    const uint32_t jbd2 = c.InternModuleSet({"jbd2"});
    c.loadable_module_sets.insert(ext4);
    c.loadable_module_sets.insert(jbd2);
    Symbol a = MakeSymbol(0xffffffffc0001000, "init_once", 't', 0x30, true);
    a.module_set = ext4;
    Symbol b = MakeSymbol(0xffffffffc0001100, "commit", 't', 0x30, true);
    b.module_set = ext4;
    Symbol d = MakeSymbol(0xffffffffc0002000, "commit", 't', 0x30, true);
    d.module_set = jbd2;
    c.symbols.push_back(a);
    c.symbols.push_back(b);
    c.symbols.push_back(d);
  }
  return c;
}

ProbeSpec Spec(const Symbolizer& s, const std::string& query,
               ProbeOptions options = {}) {
  absl::StatusOr<Candidate> c = s.ResolveUnique(query);
  EXPECT_TRUE(c.ok()) << query << ": " << c.status();
  absl::StatusOr<ProbeSpec> p = MakeProbeSpec(s, *c, options);
  EXPECT_TRUE(p.ok()) << query << ": " << p.status();
  return p.ok() ? *p : ProbeSpec();
}

absl::Status SpecError(const Symbolizer& s, const std::string& query,
                       ProbeOptions options = {}) {
  absl::StatusOr<Candidate> c = s.ResolveUnique(query);
  EXPECT_TRUE(c.ok()) << query << ": " << c.status();
  return MakeProbeSpec(s, *c, options).status();
}

TEST(KernelVersionTest, FromRelease) {
  KernelVersion v = KernelVersion::FromRelease("6.1.0-57-cloud-amd64");
  EXPECT_TRUE(v.known);
  EXPECT_EQ(v.major, 6);
  EXPECT_EQ(v.minor, 1);
  EXPECT_FALSE(v.AtLeast(6, 11));
  EXPECT_TRUE(KernelVersion::FromRelease("6.11.0").AtLeast(6, 11));
  EXPECT_TRUE(KernelVersion::FromRelease("6.12-rc3").AtLeast(6, 11));
  EXPECT_TRUE(KernelVersion::FromRelease("7.0.1").AtLeast(6, 11));
  EXPECT_FALSE(KernelVersion::FromRelease("").known);
  EXPECT_FALSE(KernelVersion::FromRelease("6").known);
  EXPECT_FALSE(KernelVersion::FromRelease("x.y").AtLeast(0, 0));

  v = KernelVersion::FromRelease("6.10.12-200.fc40.x86_64");
  EXPECT_TRUE(v.known);
  EXPECT_EQ(v.sublevel, 12);
  EXPECT_EQ(KernelVersion::FromRelease("6.12-rc3").sublevel, 0);
  EXPECT_EQ(KernelVersion::FromRelease("6.1.0-57-cloud-amd64").sublevel, 0);
  EXPECT_TRUE(KernelVersion::FromRelease("6.10.10").AtLeast(6, 10, 10));
  EXPECT_FALSE(KernelVersion::FromRelease("6.10.9").AtLeast(6, 10, 10));
  EXPECT_TRUE(KernelVersion::FromRelease("6.11.0").AtLeast(6, 10, 10));
  EXPECT_FALSE(KernelVersion::FromRelease("6.9.12").AtLeast(6, 10, 10));
  EXPECT_TRUE(KernelVersion::FromRelease("7.0").AtLeast(6, 10, 10));
}

// The kernel changes as release tests (probe_spec.h has the evidence).
TEST(KernelVersionTest, RuleThresholds) {
  auto k = [](const char* r) { return KernelVersion::FromRelease(r); };
  // 9d8616034f16: mainline 6.11, stable 6.10.10.
  EXPECT_FALSE(CountsModuleSymbolInModule(k("6.10.9")));
  EXPECT_TRUE(CountsModuleSymbolInModule(k("6.10.10")));
  EXPECT_TRUE(CountsModuleSymbolInModule(k("6.11.0")));
  EXPECT_FALSE(CountsModuleSymbolInModule(k("6.6.50")));
  EXPECT_FALSE(CountsModuleSymbolInModule(KernelVersion()));
  // 1870ddcd94b0: mainline 7.1, stable 7.0.10.
  EXPECT_FALSE(PrefersVmlinuxForBareSymbol(k("7.0.9")));
  EXPECT_TRUE(PrefersVmlinuxForBareSymbol(k("7.0.10")));
  EXPECT_TRUE(PrefersVmlinuxForBareSymbol(k("7.1.0")));
  EXPECT_FALSE(PrefersVmlinuxForBareSymbol(k("6.18.30")));
  // 926fe783c8a6: taken as present from 6.7.
  EXPECT_FALSE(CountsModulesForBareSymbol(k("6.1.0-57-cloud-amd64")));
  EXPECT_TRUE(CountsModulesForBareSymbol(k("6.7.0")));
}

TEST(ProbeSpecTest, UniqueNameIsWrittenBare) {
  auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kStatic, "6.1.0-57-cloud-amd64"));
  ProbeSpec p = Spec(*s, "do_exit+0x12");
  EXPECT_EQ(p.form, TargetForm::kSymbol);
  EXPECT_EQ(p.target, "do_exit+0x12");
  EXPECT_EQ(p.same_name, 1u);
  EXPECT_EQ(p.kprobe_events.text, "p:ksym/p_do_exit_18 do_exit+0x12");
  EXPECT_EQ(p.bpftrace.text, "kprobe:do_exit+18");
  EXPECT_EQ(p.perf.text, "do_exit+0x12");
  EXPECT_EQ(p.libbpf.text, "func_name = \"do_exit\", .offset = 0x12");
  EXPECT_FALSE(p.kprobe_multi.available);
  // A static index knows no loadable modules, and says so.
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("no loadable modules"), std::string::npos);

  ProbeOptions ret;
  ret.is_return = true;
  p = Spec(*s, "do_exit", ret);
  EXPECT_EQ(p.kprobe_events.text, "r:ksym/r_do_exit_0 do_exit");
  EXPECT_EQ(p.bpftrace.text, "kretprobe:do_exit");
  EXPECT_EQ(p.perf.text, "do_exit%return");
  EXPECT_EQ(p.kprobe_multi.text, ".syms = {\"do_exit\"}, .cnt = 1, .retprobe = true");
}

TEST(ProbeSpecTest, DuplicateInStaticIndexIsTextOffset) {
  auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kStatic, "6.1.0-57-cloud-amd64"));
  ProbeSpec p = Spec(*s, "init_once+0x4 {proc/inode.o}");
  EXPECT_EQ(p.form, TargetForm::kTextOffset);
  EXPECT_EQ(p.target, "_text+0x304");
  EXPECT_EQ(p.same_name, 2u);
  EXPECT_EQ(p.kprobe_events.text, "p:ksym/p_init_once_4_304 _text+0x304");
  EXPECT_EQ(p.query, "init_once+0x4 {proc/inode.o}");
  EXPECT_FALSE(p.bpftrace.available);
  EXPECT_FALSE(p.perf.available);
  EXPECT_FALSE(p.libbpf.available);
  EXPECT_EQ(p.address_spec.text, "0xffffffff81000304");
  EXPECT_NE(p.address_spec.reason.find("KASLR"), std::string::npos);
}

TEST(ProbeSpecTest, DuplicateInRuntimeIndexIsTheAddress) {
  auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kRuntime, "6.1.0"));
  ProbeSpec p = Spec(*s, "init_once {fs/inode.o}");
  EXPECT_EQ(p.form, TargetForm::kAddress);
  EXPECT_EQ(p.same_name, 3u);  // two core, one in ext4
  EXPECT_EQ(p.kprobe_events.text,
            "p:ksym/p_init_once_0_ffffffff81000200 0xffffffff81000200");
  EXPECT_EQ(p.bpftrace.text, "kprobe:0xffffffff81000200");
  EXPECT_NE(p.bpftrace.reason.find("--unsafe"), std::string::npos);
  // kprobe:0xADDR is first released in bpftrace v0.25.0: 0b6309f78 is
  // first tagged v0.26-rc0, but its cherry-pick c78373f1e is on the
  // release/0.25.x branch before the v0.25.0 tag.
  EXPECT_NE(p.bpftrace.reason.find(">= 0.25.0"), std::string::npos);
  EXPECT_EQ(p.perf.text, "0xffffffff81000200");
  EXPECT_EQ(p.libbpf.text, "func_name = NULL, .offset = 0xffffffff81000200");
  EXPECT_EQ(p.kprobe_multi.text, ".addrs = {0xffffffff81000200}, .cnt = 1");
  EXPECT_TRUE(p.notes.empty());

  // bpftrace v0.25.0 takes kretprobe:ADDR as it takes kprobe:ADDR.
  ProbeOptions ret;
  ret.is_return = true;
  p = Spec(*s, "init_once {fs/inode.o}", ret);
  EXPECT_EQ(p.bpftrace.text, "kretprobe:0xffffffff81000200");
  EXPECT_NE(p.bpftrace.reason.find("--unsafe"), std::string::npos);
}

TEST(ProbeSpecTest, ModuleSymbolFormNeedsKernel611Or61010) {
  auto old_kernel = SymbolizerFromCatalog(Kernel(AddressSpace::kRuntime, "6.10.3"));
  ProbeSpec p = Spec(*old_kernel, "init_once [ext4]");
  EXPECT_EQ(p.module, "ext4");
  EXPECT_EQ(p.same_name_in_module, 1u);
  EXPECT_EQ(p.form, TargetForm::kAddress);
  EXPECT_EQ(p.target, "0xffffffffc0001000");
  // perf writes -m MOD SYM as MOD:SYM, which tracefs places inside MOD on
  // every kernel; it would refuse the module address.
  EXPECT_EQ(p.perf.text, "-m ext4 init_once");

  auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kRuntime, "6.11.0"));
  p = Spec(*s, "init_once [ext4]");
  EXPECT_EQ(p.form, TargetForm::kModuleSymbol);
  EXPECT_EQ(p.target, "ext4:init_once");
  EXPECT_EQ(p.kprobe_events.text, "p:ksym/p_init_once_0_ext4 ext4:init_once");
  EXPECT_EQ(p.bpftrace.text, "kprobe:ext4:init_once");
  // bpftrace has passed MOD to the kernel since v0.21.0 (981b6e466).
  EXPECT_NE(p.bpftrace.reason.find(">= 0.21.0"), std::string::npos);
  EXPECT_EQ(p.perf.text, "-m ext4 init_once");
  // libbpf's perf_event_open path is given the address, which every
  // kernel takes.
  EXPECT_EQ(p.libbpf.text, "func_name = NULL, .offset = 0xffffffffc0001000");
  p = Spec(*s, "jbd2:commit+0x8");
  EXPECT_EQ(p.target, "jbd2:commit+0x8");
  // The version given by the caller wins over the index's release.
  ProbeOptions opt;
  opt.kernel = KernelVersion::FromRelease("6.1.0");
  EXPECT_EQ(Spec(*s, "jbd2:commit", opt).form, TargetForm::kAddress);
  // 9d8616034f16 reached the 6.10 stable series in 6.10.10.
  opt.kernel = KernelVersion::FromRelease("6.10.9");
  EXPECT_EQ(Spec(*s, "jbd2:commit", opt).form, TargetForm::kAddress);
  opt.kernel = KernelVersion::FromRelease("6.10.10");
  EXPECT_EQ(Spec(*s, "jbd2:commit", opt).form, TargetForm::kModuleSymbol);
}

TEST(ProbeSpecTest, UniqueNameInAModuleIsBare) {
  Catalog c = Kernel(AddressSpace::kRuntime, "6.1.0");
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  Symbol m = MakeSymbol(0xffffffffc0003000, "ext4_fill_super", 't', 0x100, true);
  m.module_set = ext4;
  c.symbols.push_back(m);
  auto s = SymbolizerFromCatalog(std::move(c));
  ProbeSpec p = Spec(*s, "ext4_fill_super");
  EXPECT_EQ(p.form, TargetForm::kSymbol);
  EXPECT_EQ(p.kprobe_events.text, "p:ksym/p_ext4_fill_super_0 ext4_fill_super");
  // Without -m, perf probe looks names up in vmlinux only.
  EXPECT_EQ(p.perf.text, "-m ext4 ext4_fill_super");
  // A runtime index has the loaded modules; but kernels that count only
  // core-kernel symbols (b022f0c7e404 without 926fe783c8a6, e.g. 6.1.60 to
  // 6.1.70) refuse the bare module name, and 6.1.0 may be one of them.
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("ENOENT"), std::string::npos) << p.notes[0];
  EXPECT_NE(p.notes[0].find("0xffffffffc0003000"), std::string::npos);
  ProbeOptions opt;
  opt.kernel = KernelVersion::FromRelease("6.7.0");
  EXPECT_TRUE(Spec(*s, "ext4_fill_super", opt).notes.empty());
}

TEST(ProbeSpecTest, StaticIndexNoteFollowsTheVmlinuxFirstCount) {
  // Before 1870ddcd94b0 a module copy of a core-kernel name makes the bare
  // name ambiguous; from 7.0.10 and 7.1 the vmlinux copy is taken.
  for (const char* release : {"6.1.0", "6.18.3", "7.0.9"}) {
    auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kStatic, release));
    ProbeSpec p = Spec(*s, "do_exit");
    ASSERT_EQ(p.notes.size(), 1u) << release;
    EXPECT_NE(p.notes[0].find("EADDRNOTAVAIL"), std::string::npos) << release;
  }
  for (const char* release : {"7.0.10", "7.1.0"}) {
    auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kStatic, release));
    EXPECT_TRUE(Spec(*s, "do_exit").notes.empty()) << release;
  }
}

TEST(ProbeSpecTest, PerfRefusesACopyOfANameDuplicatedInsideItsModule) {
  Catalog c = Kernel(AddressSpace::kRuntime, "6.11.0");
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  Symbol m = MakeSymbol(0xffffffffc0003000, "init_once", 't', 0x30, true);
  m.module_set = ext4;
  c.symbols.push_back(m);
  auto s = SymbolizerFromCatalog(std::move(c));
  ProbeSpec p = Spec(*s, "init_once @0xffffffffc0003000");
  EXPECT_EQ(p.same_name_in_module, 2u);
  EXPECT_EQ(p.form, TargetForm::kAddress);
  EXPECT_FALSE(p.perf.available);
  EXPECT_EQ(p.perf.reason,
            "perf probe -m ext4 probes all 2 copies of init_once in ext4, and "
            "refuses a module address as outside the kernel's .text");
  // A core-kernel duplicate's runtime address is inside .text: perf takes it.
  p = Spec(*s, "init_once {fs/inode.o}");
  EXPECT_EQ(p.perf.text, "0xffffffff81000200");
}

TEST(ProbeSpecTest, EventNames) {
  auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kStatic, "6.1.0"));
  ProbeOptions opt;
  opt.event = "mygroup/exit_probe";
  EXPECT_EQ(Spec(*s, "do_exit", opt).kprobe_events.text,
            "p:mygroup/exit_probe do_exit");
  for (const char* bad : {"noslash", "a/b/c", "1grp/ev", "grp/ev-1", "/ev", "grp/"}) {
    opt.event = bad;
    absl::Status st = SpecError(*s, "do_exit", opt);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("bad event"), absl::string_view::npos) << st;
  }
}

TEST(ProbeSpecTest, RefusesWhatTheKernelWouldRefuse) {
  auto s = SymbolizerFromCatalog(Kernel(AddressSpace::kStatic, "6.1.0"));
  absl::Status st = SpecError(*s, "do_exit+0x80");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "offset 0x80 is past the end of do_exit (size 0x80)");
  EXPECT_TRUE(SpecError(*s, "do_exit+0x7f").ok());

  ProbeOptions ret;
  ret.is_return = true;
  st = SpecError(*s, "do_exit+0x4", ret);
  EXPECT_EQ(st.message(),
            "a return probe goes on the function entry, not at offset 0x4 of "
            "do_exit");

  st = SpecError(*s, "counter");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "counter is not a function (type 'd'): kprobes go on code");

  KprobeBlacklist blacklist;
  blacklist.AddIndexAreas(*s);
  ProbeOptions opt;
  opt.blacklist = &blacklist;
  st = SpecError(*s, "nmi_thing+0x4", opt);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "the kernel will not probe nmi_thing+0x4 at 0xffffffff81000504: in "
            "the kernel's kprobe blacklist: a __kprobes function "
            "(__kprobes_text_start..__kprobes_text_end)");
  EXPECT_TRUE(SpecError(*s, "last", opt).ok());
}

TEST(ProbeSpecTest, StaticDuplicateWithoutTextIsRefused) {
  Catalog c;
  c.identity.address_space = AddressSpace::kStatic;
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "dup", 't', 0x10, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "dup", 't', 0x10, true));
  c.symbols[0].object = c.InternObject("a.o");
  c.symbols[1].object = c.InternObject("b.o");
  c.objects[0].annotation = "a.o";
  c.objects[1].annotation = "b.o";
  auto s = SymbolizerFromCatalog(std::move(c));
  absl::Status st = SpecError(*s, "dup {a.o}");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("no unique _text"), absl::string_view::npos) << st;
}

}  // namespace
}  // namespace ksym
