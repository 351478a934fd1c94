#include "symbolizer/probe/kprobe_blacklist.h"

#include <string>

#include "gtest/gtest.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

// The debugfs format, as kprobe_blacklist_seq_show prints it for root.
constexpr char kDebugfs[] =
    "0xffffffff81001e30-0xffffffff81001e50\tnative_get_debugreg\n"
    "0xffffffff81002000-0xffffffff81002040\texc_int3\n"
    "0xffffffffc0a01000-0xffffffffc0a01040\tfoo_nmi_handler [foo]\n";

TEST(KprobeBlacklistTest, ParsesDebugfsRanges) {
  absl::StatusOr<KprobeBlacklist> b = KprobeBlacklist::ParseDebugfs(kDebugfs, "blacklist");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->size(), 3u);
  EXPECT_EQ(b->Find(0xffffffff81001e2f), nullptr);
  const BlacklistEntry* e = b->Find(0xffffffff81001e30);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->reason,
            "in the kernel's kprobe blacklist as native_get_debugreg (blacklist:1)");
  EXPECT_NE(b->Find(0xffffffff81001e4f), nullptr);
  EXPECT_EQ(b->Find(0xffffffff81001e50), nullptr);  // end is exclusive
  e = b->Find(0xffffffffc0a01010);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->reason,
            "in the kernel's kprobe blacklist as foo_nmi_handler [foo] (blacklist:3)");
}

TEST(KprobeBlacklistTest, ShiftsIntoTheIndexSpace) {
  // A static index: runtime minus 0x1c000000 of KASLR.
  absl::StatusOr<KprobeBlacklist> b =
      KprobeBlacklist::ParseDebugfs(kDebugfs, "blacklist", -0x1c000000);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(b->Find(0xffffffff65001e30), nullptr);
  EXPECT_EQ(b->Find(0xffffffff81001e30), nullptr);
}

TEST(KprobeBlacklistTest, HiddenAddressesAreAnError) {
  absl::StatusOr<KprobeBlacklist> b = KprobeBlacklist::ParseDebugfs(
      "0x0000000000000000-0x0000000000000000\tnative_get_debugreg\n"
      "0x0000000000000000-0x0000000000000000\texc_int3\n",
      "/sys/kernel/debug/kprobes/blacklist");
  EXPECT_EQ(b.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(b.status().message(),
            "/sys/kernel/debug/kprobes/blacklist: every address is hidden "
            "(0x0000000000000000); read it as root, or with "
            "kernel.kptr_restrict=0");
  // An empty file is an empty blacklist.
  EXPECT_TRUE(KprobeBlacklist::ParseDebugfs("", "b").ok());
}

TEST(KprobeBlacklistTest, MalformedLines) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case kCases[] = {
      {"0xffffffff81001e30 native_get_debugreg\n",
       "b:1: expected \"0xSTART-0xEND\\tSYMBOL\" like "
       "\"0xffffffff81001e30-0xffffffff81001e50\\tnative_get_debugreg\""},
      {"0x10-0x20\tok\nffffffff81001e30-0xffffffff81001e50\tx\n",
       "b:2: bad address range \"ffffffff81001e30-0xffffffff81001e50\", "
       "expected 0xSTART-0xEND in hex"},
      {"0x20-0x10\tx\n", "b:1: range \"0x20-0x10\" ends before it starts"},
      {"0x10-0x20\t\n", "b:1: missing symbol after the tab"},
      // SimpleHexAtoi alone would read "0x0x10" as 0x10.
      {"0x0x10-0x20\tx\n",
       "b:1: bad address range \"0x0x10-0x20\", expected 0xSTART-0xEND in "
       "hex"},
      {"0x10-0x+20\tx\n",
       "b:1: bad address range \"0x10-0x+20\", expected 0xSTART-0xEND in "
       "hex"},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<KprobeBlacklist> b = KprobeBlacklist::ParseDebugfs(c.text, "b");
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(b.status().message(), c.error);
  }
}

TEST(KprobeBlacklistTest, AreasFromTheIndexLinkerSymbols) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "__noinstr_text_start", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "exc_nmi", 'T', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "__noinstr_text_end", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "__entry_text_start", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "__entry_text_end", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff82000000, "_sinittext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff82000100, "_einittext", 'T'));
  // Only a start: no area.
  c.symbols.push_back(MakeSymbol(0xffffffff83000000, "__kprobes_text_start", 'T'));
  auto s = SymbolizerFromCatalog(std::move(c));
  KprobeBlacklist b;
  b.AddIndexAreas(*s);
  EXPECT_EQ(b.size(), 3u);
  ASSERT_NE(b.Find(0xffffffff81000110), nullptr);
  EXPECT_NE(b.Find(0xffffffff81000110)->reason.find("noinstr"), std::string::npos);
  EXPECT_EQ(b.Find(0xffffffff81000200), nullptr);
  EXPECT_NE(b.Find(0xffffffff81000300)->reason.find("entry code"), std::string::npos);
  EXPECT_NE(b.Find(0xffffffff82000000)->reason.find("init code"), std::string::npos);
  EXPECT_EQ(b.Find(0xffffffff83000000), nullptr);
}

// arm64 blacklists more areas; the same symbols on x86_64 do not.
TEST(KprobeBlacklistTest, Arm64AreasOnlyOnArm64) {
  for (const char* arch : {"aarch64", "x86_64"}) {
    Catalog c;
    c.identity.arch = arch;
    c.symbols.push_back(MakeSymbol(0xffff800008010000, "__irqentry_text_start", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008010000, "gic_handle_irq", 'T', 0x40, true));
    c.symbols.push_back(MakeSymbol(0xffff8000080101cc, "__irqentry_text_end", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bc2000, "__hyp_idmap_text_start", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bc2ae4, "__hyp_idmap_text_end", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bc2ae4, "__hyp_text_start", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bd2000, "__hyp_text_end", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bd2000, "__idmap_text_start", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bd2930, "__idmap_text_end", 'T'));
    c.symbols.push_back(MakeSymbol(0xffff800008bd3000, "after", 'T', 0x40, true));
    auto s = SymbolizerFromCatalog(std::move(c));
    KprobeBlacklist b;
    b.AddIndexAreas(*s);
    if (std::string(arch) == "x86_64") {
      EXPECT_EQ(b.size(), 0u);
      continue;
    }
    EXPECT_EQ(b.size(), 4u);
    ASSERT_NE(b.Find(0xffff800008010004), nullptr);
    EXPECT_NE(b.Find(0xffff800008010004)->reason.find("irq entry"),
              std::string::npos);
    ASSERT_NE(b.Find(0xffff800008bc2000), nullptr);
    EXPECT_NE(b.Find(0xffff800008bc2000)->reason.find("unless the kernel runs "
                                                      "at EL2"),
              std::string::npos);
    ASSERT_NE(b.Find(0xffff800008bc2ae4), nullptr);
    ASSERT_NE(b.Find(0xffff800008bd292c), nullptr);
    EXPECT_EQ(b.Find(0xffff800008bd3000), nullptr);
  }
}

}  // namespace
}  // namespace ksym
