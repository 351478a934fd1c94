#include "symbolizer/probe/ftrace_functions.h"

#include <string>

#include "gtest/gtest.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

// A static index: two init_once (different objects), a notrace function,
// and unique functions to compute the KASLR offset from; a loadable module
// function in the runtime files only.
std::unique_ptr<Symbolizer> Index() {
  Catalog c;
  c.identity.address_space = AddressSpace::kStatic;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "do_exit", 'T', 0x80, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "notrace_fn", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "schedule", 'T', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000600, "last", 't', 0x10, true));
  c.symbols[2].object = c.InternObject("fs/inode.o");
  c.symbols[3].object = c.InternObject("fs/proc/inode.o");
  c.objects[0].annotation = "fs/inode.o";
  c.objects[1].annotation = "proc/inode.o";
  return SymbolizerFromCatalog(std::move(c));
}

// As the running kernel shows them, KASLR offset 0x1c000000, x86 with IBT
// (patch sites 4 bytes in), a weak function's discarded record, and a
// module loaded after boot.
constexpr char kAddrs[] =
    "ffffffff9d000104 do_exit\n"
    "ffffffff9d000204 init_once\n"
    "ffffffff9d000304 init_once\n"
    "ffffffff9d000380 __ftrace_invalid_address___128\n"
    "ffffffff9d000504 schedule\n"
    "ffffffff9d000604 last\n"
    "ffffffffc0a03014 init_once [ext4]\n";
constexpr char kNames[] =
    "do_exit\n"
    "init_once\n"
    "init_once\n"
    "__ftrace_invalid_address___128\n"
    "schedule\n"
    "last\n"
    "init_once [ext4]\n";

SymbolInfo Named(const Symbolizer& s, const std::string& query) {
  absl::StatusOr<Candidate> c = s.ResolveUnique(query);
  EXPECT_TRUE(c.ok()) << query << ": " << c.status();
  return c->symbol;
}

TEST(FtraceFunctionsTest, ParsesBothFilesLineByLine) {
  absl::StatusOr<FtraceFunctions> f =
      FtraceFunctions::Parse(kNames, "names", kAddrs, "addrs");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->records().size(), 7u);
  EXPECT_TRUE(f->has_addresses());
  EXPECT_EQ(f->records()[1].ip, 0xffffffff9d000204u);
  EXPECT_EQ(f->records()[6].name, "init_once");
  EXPECT_EQ(f->records()[6].module, "ext4");
}

TEST(FtraceFunctionsTest, OffsetIsTheKaslrSlideDespitePatchSites) {
  auto s = Index();
  absl::StatusOr<FtraceFunctions> f = FtraceFunctions::Parse("", "", kAddrs, "addrs");
  ASSERT_TRUE(f.ok());
  absl::StatusOr<int64_t> off = f->OffsetFrom(*s);
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(*off, 0x1c000000);
}

TEST(FtraceFunctionsTest, DuplicatesAreTellApartByPatchSite) {
  auto s = Index();
  absl::StatusOr<FtraceFunctions> f =
      FtraceFunctions::Parse(kNames, "names", kAddrs, "addrs");
  ASSERT_TRUE(f.ok());
  absl::StatusOr<FtraceIndex> i =
      f->Find(*s, Named(*s, "init_once {proc/inode.o}"), 0x1c000000);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->line, 3u);
  EXPECT_EQ(i->patch_site, 0xffffffff9d000304u);
  EXPECT_EQ(i->listed_as, "init_once");
  i = f->Find(*s, Named(*s, "init_once {fs/inode.o}"), 0x1c000000);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->line, 2u);
  // A wrong offset finds nothing rather than a neighbour.
  EXPECT_EQ(f->Find(*s, Named(*s, "init_once {fs/inode.o}"), 0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(FtraceFunctionsTest, FunctionWithoutRecordIsRefusedWithTheReason) {
  auto s = Index();
  absl::StatusOr<FtraceFunctions> f =
      FtraceFunctions::Parse(kNames, "names", kAddrs, "addrs");
  ASSERT_TRUE(f.ok());
  absl::StatusOr<FtraceIndex> i = f->Find(*s, Named(*s, "notrace_fn"), 0x1c000000);
  EXPECT_EQ(i.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(i.status().message(),
            "notrace_fn is not in addrs: the function tracer cannot select it "
            "(notrace, always inlined, init code, or its record was "
            "discarded)");
}

TEST(FtraceFunctionsTest, NamesOnlyWorksForUniqueNamesOnly) {
  auto s = Index();
  absl::StatusOr<FtraceFunctions> f = FtraceFunctions::Parse(kNames, "names", "", "");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_addresses());
  absl::StatusOr<FtraceIndex> i = f->Find(*s, Named(*s, "schedule"), 0);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->line, 5u);
  EXPECT_EQ(i->patch_site, 0u);
  i = f->Find(*s, Named(*s, "init_once {fs/inode.o}"), 0);
  EXPECT_EQ(i.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(i.status().message(),
            "names lists init_once on 2 lines and the index has 2 such "
            "functions: which line is init_once {fs/inode.o} needs "
            "available_filter_functions_addrs (Linux 6.5+)");
  EXPECT_EQ(f->OffsetFrom(*s).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(FtraceFunctionsTest, FilesReadAtDifferentTimesAreRefused) {
  absl::StatusOr<FtraceFunctions> f = FtraceFunctions::Parse(
      "do_exit\ninit_once [ext4]\n", "names", "ffffffff9d000104 do_exit\n", "addrs");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.status().message(),
            "names:2: \"init_once [ext4]\" is not line 2 of addrs: the files "
            "were read at different times (a module loaded in between?); read "
            "them again");
  f = FtraceFunctions::Parse("do_exit\n", "names",
                             "ffffffff9d000104 do_exit\nffffffff9d000204 x\n", "addrs");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(f.status().message().find("names has 1 lines, addrs 2"),
            absl::string_view::npos);
}

TEST(FtraceFunctionsTest, MalformedLines) {
  EXPECT_EQ(FtraceFunctions::Parse("", "", "do_exit\n", "addrs").status().message(),
            "addrs:1: expected \"ADDRESS NAME [MODULE]\" like \"ffffffff813704f4 "
            "init_once\"");
  EXPECT_EQ(FtraceFunctions::Parse("", "", "zz do_exit\n", "addrs").status().message(),
            "addrs:1: expected \"ADDRESS NAME [MODULE]\" like \"ffffffff813704f4 "
            "init_once\"");
  EXPECT_EQ(FtraceFunctions::Parse("a\nb ext4\n", "names", "", "").status().message(),
            "names:2: unexpected \"ext4\" after the name, expected [module]");
  EXPECT_EQ(FtraceFunctions::Parse("a\n\n", "names", "", "").status().message(),
            "names:2: empty function name");
}

}  // namespace
}  // namespace ksym
