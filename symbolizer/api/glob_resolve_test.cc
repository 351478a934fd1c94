#include "symbolizer/api/glob_resolve.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

std::unique_ptr<Symbolizer> Sample() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "vfs_readv", 'T', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "vfs_read", 'T', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "vfs_write", 'T', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "init_once", 't', 0x40, true));
  c.symbols[5].module_set = c.InternModuleSet({"ext4"});
  return SymbolizerFromCatalog(std::move(c));
}

std::vector<std::string> Names(const std::vector<Candidate>& c) {
  std::vector<std::string> out;
  for (const Candidate& x : c) out.emplace_back(x.symbol.name());
  return out;
}

TEST(GlobResolveTest, MatchesNamesAndKeepsTheRestOfTheQuery) {
  auto s = Sample();
  EXPECT_TRUE(IsGlobQuery("vfs_rea*"));
  EXPECT_TRUE(IsGlobQuery("ext4:init_onc?"));
  EXPECT_FALSE(IsGlobQuery("init_once [ext4]"));
  absl::StatusOr<std::vector<Candidate>> c = ResolveGlob(*s, "vfs_rea*");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"vfs_read", "vfs_readv"}));
  // The qualifiers narrow each matching name exactly as Resolve does.
  c = ResolveGlob(*s, "init_onc? @0xffffffff81000500");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].symbol.address, 0xffffffff81000500u);
  c = ResolveGlob(*s, "init_onc? [ext4]");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), s->Resolve("init_once [ext4]")->size());
  c = ResolveGlob(*s, "vfs_*+0x4");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].address, 0xffffffff81000204u);
  c = ResolveGlob(*s, "nothing*");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->empty());
  // Without glob characters it is Resolve.
  c = ResolveGlob(*s, "init_once");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 2u);
}

}  // namespace
}  // namespace ksym
