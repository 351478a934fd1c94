#include "symbolizer/running_kernel/freshness.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::Entry;

constexpr uint64_t kSlide = 0x1c000000;

// A live kernel: core symbols moved by `slide`, ext4 loaded at `ext4_at`.
std::vector<KallsymsEntry> Kallsyms(uint64_t slide, uint64_t ext4_at) {
  return {Entry(0xffffffff81000000 + slide, 'T', "startup_64"),
          Entry(0xffffffff81000000 + slide, 'T', "_text"),
          Entry(0xffffffff81000100 + slide, 't', "init_once"),
          Entry(0xffffffff81000300 + slide, 'T', "do_exit"),
          Entry(ext4_at, 't', "ext4_fill_super", "ext4"),
          Entry(ext4_at + 0x100, 't', "ext4_iget", "ext4")};
}

std::unique_ptr<Symbolizer> Index(uint64_t slide, uint64_t ext4_at) {
  absl::StatusOr<BuildOutput> out =
      BuildFromEntries(Kallsyms(slide, ext4_at), {}, {});
  EXPECT_TRUE(out.ok()) << out.status();
  return testutil::SymbolizerOfBuilt(out->catalog);
}

LiveLayout Live(uint64_t slide, uint64_t ext4_at,
                std::vector<const char*> modules = {"ext4"}) {
  LiveLayout live;
  for (KallsymsEntry& e : Kallsyms(slide, ext4_at)) {
    if (e.module.empty()) live.kallsyms_head.push_back(e);
  }
  for (const char* m : modules) {
    live.modules.push_back({m, 0x8000, std::string(m) == "ext4" ? ext4_at
                                                                : 0xffffffffc0f00000});
  }
  return live;
}

constexpr uint64_t kExt4 = 0xffffffffc0a00000;

TEST(FreshnessTest, TheSameLayoutIsFresh) {
  std::unique_ptr<Symbolizer> s = Index(kSlide, kExt4);
  Freshness f = CheckFreshness(*s, Live(kSlide, kExt4));
  EXPECT_TRUE(f.fresh) << f.why;
}

TEST(FreshnessTest, ANewSlideIsStale) {
  std::unique_ptr<Symbolizer> s = Index(kSlide, kExt4);
  Freshness f = CheckFreshness(*s, Live(kSlide + 0x200000, kExt4));
  EXPECT_FALSE(f.fresh);
  EXPECT_NE(f.why.find("KASLR moved"), std::string::npos) << f.why;
}

TEST(FreshnessTest, AModuleLoadedOrUnloadedIsStale) {
  std::unique_ptr<Symbolizer> s = Index(kSlide, kExt4);
  Freshness loaded = CheckFreshness(*s, Live(kSlide, kExt4, {"ext4", "xfs"}));
  EXPECT_FALSE(loaded.fresh);
  EXPECT_NE(loaded.why.find("loaded since: xfs"), std::string::npos)
      << loaded.why;
  Freshness unloaded = CheckFreshness(*s, Live(kSlide, kExt4, {}));
  EXPECT_FALSE(unloaded.fresh);
  EXPECT_NE(unloaded.why.find("unloaded since: ext4"), std::string::npos)
      << unloaded.why;
}

TEST(FreshnessTest, AModuleReloadedElsewhereIsStale) {
  std::unique_ptr<Symbolizer> s = Index(kSlide, kExt4);
  // ext4 now where the index has core text... no: at its old ext4_iget + 8
  // is still ext4; move it onto the core kernel instead.
  LiveLayout live = Live(kSlide, kExt4);
  live.modules[0].address = 0xffffffff81000300 + kSlide;
  Freshness f = CheckFreshness(*s, live);
  EXPECT_FALSE(f.fresh);
  EXPECT_NE(f.why.find("module ext4 is loaded at"), std::string::npos)
      << f.why;
}

TEST(FreshnessTest, HiddenAddressesAndStaticIndexesAreNotCompared) {
  std::unique_ptr<Symbolizer> s = Index(kSlide, kExt4);
  LiveLayout hidden = Live(0, 0);
  for (KallsymsEntry& e : hidden.kallsyms_head) e.address = 0;
  Freshness f = CheckFreshness(*s, hidden);
  EXPECT_TRUE(f.fresh);
  EXPECT_NE(f.why.find("hidden"), std::string::npos);

  absl::StatusOr<BuildOutput> out = BuildFromEntries({}, Kallsyms(0, kExt4), {});
  ASSERT_TRUE(out.ok());
  const std::unique_ptr<Symbolizer> st =
      testutil::SymbolizerOfBuilt(out->catalog);
  EXPECT_TRUE(CheckFreshness(*st, Live(kSlide + 0x200000, kExt4)).fresh);
}

// An index written before pseudo-modules were left out still holds them as
// loadable modules; they are no part of the freshness key.
TEST(FreshnessTest, PseudoModulesInAnIndexAreNoPartOfTheKey) {
  std::vector<KallsymsEntry> k = Kallsyms(kSlide, kExt4);
  k.push_back(Entry(0xffffffffc0201000, 't', "ftrace_trampoline",
                    "__builtin__ftrace"));
  k.push_back(Entry(0xffffffffc0203000, 't',
                    "bpf_prog_6deef7357e7b4530_sd_fw_egress", "bpf"));
  k.push_back(Entry(0xffffffffc0205000, 't', "kprobe_insn_page",
                    "__builtin__kprobes"));
  absl::StatusOr<BuildOutput> out = BuildFromEntries(k, {}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  const std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerOfBuilt(out->catalog);
  Freshness f = CheckFreshness(*s, Live(kSlide, kExt4));
  EXPECT_TRUE(f.fresh) << f.why;
  // A real module still counts.
  Freshness gone = CheckFreshness(*s, Live(kSlide, kExt4, {}));
  EXPECT_FALSE(gone.fresh);
  EXPECT_EQ(gone.why, "the loaded modules changed (unloaded since: ext4)");
}

std::string TmpDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  mkdir(dir.c_str(), 0755);
  return dir;
}

// A live system whose kallsyms has the pseudo-modules (as this machine's
// 6.18 kernel has [__builtin__ftrace] and any machine running systemd has
// [bpf]): the index built from it leaves them out and stays fresh while
// BPF programs come and go.
TEST(FreshnessTest, ABuildOfALiveRootWithPseudoModulesStaysFresh) {
  const std::string root = TmpDir("pseudo");
  mkdir((root + "/proc").c_str(), 0755);
  mkdir((root + "/proc/sys").c_str(), 0755);
  mkdir((root + "/proc/sys/kernel").c_str(), 0755);
  std::ofstream(root + "/proc/sys/kernel/osrelease") << "6.18.0-test\n";
  std::ofstream(root + "/proc/modules")
      << "ext4 1015808 1 - Live 0xffffffffc0a00000\n";
  const std::string core =
      "ffffffff9d000000 T startup_64\n"
      "ffffffff9d000000 T _text\n"
      "ffffffff9d000100 t init_once\n"
      "ffffffff9d000300 T do_exit\n"
      "ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]\n"
      "ffffffffc0a00000 t ext4_fill_super\t[ext4]\n"
      "ffffffffc0a00100 t ext4_iget\t[ext4]\n";
  std::ofstream(root + "/proc/kallsyms")
      << core
      << "ffffffffc0203000 t bpf_prog_6deef7357e7b4530_sd_fw_egress\t[bpf]\n"
         "ffffffffc0205000 t kprobe_insn_page\t[__builtin__kprobes]\n";
  BuildInputs in;
  in.root = root;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  bool noted = false;
  for (const std::string& n : out->notes) {
    noted = noted || n.find("pseudo-module lines not indexed") !=
                         std::string::npos;
  }
  EXPECT_TRUE(noted);
  const std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerOfBuilt(out->catalog);
  for (const char* name :
       {"ftrace_trampoline", "bpf_prog_6deef7357e7b4530_sd_fw_egress",
        "kprobe_insn_page"}) {
    Query q;
    q.name = name;
    EXPECT_TRUE(s->Resolve(q).empty()) << name;
  }
  Query q;
  q.name = "ext4_iget";
  EXPECT_EQ(s->Resolve(q).size(), 1u);

  absl::StatusOr<LiveLayout> live = ReadLiveLayout(root);
  ASSERT_TRUE(live.ok()) << live.status();
  Freshness f = CheckFreshness(*s, *live);
  EXPECT_TRUE(f.fresh) << f.why;
  // The BPF program unloaded, another loaded: still fresh.
  std::ofstream(root + "/proc/kallsyms")
      << core
      << "ffffffffc0209000 t bpf_prog_0123456789abcdef_other\t[bpf]\n";
  live = ReadLiveLayout(root);
  ASSERT_TRUE(live.ok()) << live.status();
  f = CheckFreshness(*s, *live);
  EXPECT_TRUE(f.fresh) << f.why;
}

TEST(FreshnessTest, ParseProcModules) {
  absl::StatusOr<std::vector<LoadedModule>> m = ParseProcModules(
      "ext4 1015808 1 - Live 0xffffffffc0a00000\n"
      "crc16 16384 1 ext4, Live 0xffffffffc0140000 (E)\n",
      "/proc/modules");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].name, "ext4");
  EXPECT_EQ((*m)[0].size, 1015808u);
  EXPECT_EQ((*m)[0].address, 0xffffffffc0a00000u);
  EXPECT_EQ((*m)[1].address, 0xffffffffc0140000u);
  for (const char* line : {"ext4 big 1 - Live 0x0\n",
                           "ext4 1 1 - Live 0x0x10\n",
                           "ext4 1 1 - Live ffffffffc0a00000\n",
                           "ext4 1 1 - Live 0x-1\n"}) {
    absl::StatusOr<std::vector<LoadedModule>> bad =
        ParseProcModules(line, "/proc/modules");
    EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << line;
    EXPECT_NE(bad.status().message().find("/proc/modules:1:"),
              absl::string_view::npos);
  }
}

TEST(FreshnessTest, ReadLiveLayoutUnderARoot) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string root = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/live");
  mkdir(root.c_str(), 0755);
  mkdir((root + "/proc").c_str(), 0755);
  std::string kallsyms;
  for (int i = 0; i < 2000; ++i) {  // more than the head that is read
    absl::StrAppend(&kallsyms, absl::Hex(0xffffffff9d000000 + 16 * i,
                                         absl::kZeroPad16),
                    " t fn", i, "\n");
  }
  std::ofstream(root + "/proc/kallsyms") << kallsyms;
  std::ofstream(root + "/proc/modules")
      << "ext4 1015808 1 - Live 0xffffffffc0a00000\n";
  absl::StatusOr<LiveLayout> live = ReadLiveLayout(root);
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_FALSE(live->kallsyms_head.empty());
  EXPECT_LE(live->kallsyms_head.size(), 16u);
  EXPECT_EQ(live->kallsyms_head[0].name, "fn0");
  ASSERT_EQ(live->modules.size(), 1u);
  EXPECT_EQ(live->modules[0].name, "ext4");
}

// A root that copied the host's osrelease and notes and renamed one symbol
// got its index into the running kernel's cache; the head check accepted
// it. Every core line is compared when the whole file is read.
TEST(FreshnessTest, ARenamedSymbolPastTheHeadIsStale) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string root = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/renamed");
  mkdir(root.c_str(), 0755);
  mkdir((root + "/proc").c_str(), 0755);
  std::vector<KallsymsEntry> live_entries, planted;
  std::string kallsyms;
  for (int i = 0; i < 200; ++i) {  // far more than the head
    const uint64_t a = 0xffffffff9d000000 + 16 * i;
    const std::string name = absl::StrCat("fn", i);
    absl::StrAppend(&kallsyms, absl::Hex(a, absl::kZeroPad16), " t ", name,
                    "\n");
    live_entries.push_back(Entry(a, 't', name.c_str()));
    planted.push_back(
        Entry(a, 't', i == 150 ? "attacker_chosen_name" : name.c_str()));
  }
  std::ofstream(root + "/proc/kallsyms") << kallsyms;
  auto index = [](const std::vector<KallsymsEntry>& entries) {
    absl::StatusOr<BuildOutput> out = BuildFromEntries(entries, {}, {});
    EXPECT_TRUE(out.ok()) << out.status();
    return testutil::SymbolizerOfBuilt(out->catalog);
  };
  absl::StatusOr<LiveLayout> live =
      ReadLiveLayout(root, LiveDepth::kEveryCoreSymbol);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->kallsyms_core.size(), 200u);
  EXPECT_TRUE(CheckFreshness(*index(live_entries), *live).fresh);
  Freshness f = CheckFreshness(*index(planted), *live);
  EXPECT_FALSE(f.fresh);
  EXPECT_NE(f.why.find("fn150 at 0xffffffff9d000960"), std::string::npos)
      << f.why;
}

}  // namespace
}  // namespace ksym
