#include "symbolizer/api/module_list.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

std::unique_ptr<Symbolizer> WithModules(AddressSpace space) {
  Catalog c;
  c.identity.address_space = space;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  if (space == AddressSpace::kRuntime) {
    LoadedModuleRecord ext4 = testutil::SampleModules()[0];
    LoadedModuleRecord bad;
    bad.name = "x\x1b[2J";  // from a hostile kallsyms
    bad.base = 0xffffffffc0b00000;
    bad.size = 0x10;
    bad.range_inferred = true;
    c.modules = {ext4, bad};
  }
  return SymbolizerFromCatalog(std::move(c));
}

TEST(ModuleListTest, SaysRangeBuildIdSectionsAndWhatWasRead) {
  auto s = WithModules(AddressSpace::kRuntime);
  const std::vector<ModuleListing> m = ListModules(s->index());
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(ModuleLine(m[0]),
            "ext4 0xffffffffc0a00000-0xffffffffc0a80000 build-id 3a1f00 "
            "symbols from .ko with debug data, 2 sections");
  EXPECT_EQ(ModuleSectionLines(m[0]),
            (std::vector<std::string>{"  .data 0xffffffffc0a70000",
                                      "  .text 0xffffffffc0a01000"}));
  // Unknown and inferred things are said; a hostile name is escaped.
  EXPECT_EQ(ModuleLine(m[1]),
            "x\\x1b[2J 0xffffffffc0b00000-0xffffffffc0b00010 (range inferred "
            "from its symbols) build-id (unknown) symbols from kallsyms only, "
            "0 sections");
  const std::string json = ModuleJson(m[0]);
  EXPECT_TRUE(absl::StrContains(json, R"("build_id":"3a1f00")")) << json;
  EXPECT_TRUE(absl::StrContains(
      json, R"("sections":[{"name":".data","address":"0xffffffffc0a70000"})"))
      << json;
  EXPECT_TRUE(absl::StrContains(ModuleJson(m[1]), R"("build_id":null)"));
}

TEST(ModuleListTest, AStaticIndexSaysWhyItHasNone) {
  auto s = WithModules(AddressSpace::kStatic);
  EXPECT_TRUE(ListModules(s->index()).empty());
  EXPECT_TRUE(absl::StrContains(NoModulesText(s->index()), "static index"));
}

}  // namespace
}  // namespace ksym
