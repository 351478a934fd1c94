// kModules and kModuleAliasFirst: the loadable modules of a runtime index
// and the module symbols the kernel names first at their address.
#include "symbolizer/index/module_section.h"

#include "absl/strings/match.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

Catalog WithModules() {
  Catalog c = SampleCatalog();
  c.modules = testutil::SampleModules();
  c.symbols[1].module_alias_first = true;
  c.symbols[3].module_alias_first = true;
  return c;
}

TEST(ModuleSectionTest, RoundTrips) {
  const Catalog c = WithModules();
  SectionRoundTrip t(c, &ModuleSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<ModuleSection> s = ModuleSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->count(), 2u);
  uint32_t next = 0;
  for (uint32_t k = 0; k < 2; ++k) {
    const LoadedModuleRecord& m = c.modules[k];
    const ModuleSection::Entry e = s->At(k);
    EXPECT_EQ(t.strings().At(e.name), m.name);
    EXPECT_EQ(t.strings().At(e.build_id), m.build_id);
    EXPECT_EQ(e.base, m.base);
    EXPECT_EQ(e.size, m.size);
    EXPECT_EQ((e.flags & format::kModuleFromKo) != 0, m.symbols_from_ko);
    EXPECT_EQ((e.flags & format::kModuleDebugRead) != 0, m.debug_read);
    EXPECT_EQ((e.flags & format::kModuleRangeInferred) != 0,
              m.range_inferred);
    EXPECT_EQ(e.first_section, next);
    ASSERT_EQ(e.section_count, m.sections.size());
    for (uint32_t j = 0; j < e.section_count; ++j) {
      EXPECT_EQ(t.strings().At(s->Section(next + j).name), m.sections[j].name);
      EXPECT_EQ(s->Section(next + j).address, m.sections[j].address);
    }
    next += e.section_count;
  }
  ASSERT_EQ(s->alias_first_count(), 2u);
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    EXPECT_EQ(s->IsAliasFirst(i), c.symbols[i].module_alias_first) << i;
  }
}

TEST(ModuleSectionTest, LeftOutWhenThereAreNoModules) {
  SectionRoundTrip t(SampleCatalog(), &ModuleSection::Encode);
  ASSERT_TRUE(t.status().ok());
  EXPECT_FALSE(t.has(format::kModules));
  EXPECT_FALSE(t.has(format::kModuleAliasFirst));
  absl::StatusOr<ModuleSection> s = ModuleSection::Decode(t.dir());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count(), 0u);
  EXPECT_FALSE(s->IsAliasFirst(0));
}

TEST(ModuleSectionTest, DamageIsRefused) {
  {
    SectionRoundTrip t(WithModules(), &ModuleSection::Encode);
    t.bytes(format::kModules)[8 + 32] = 8;  // unknown flag of module 0
    EXPECT_EQ(ModuleSection::Decode(t.dir()).status().message(),
              "section modules module 0 has unknown flags 0x8");
  }
  {
    SectionRoundTrip t(WithModules(), &ModuleSection::Encode);
    t.bytes(format::kModules)[8 + 28] = 3;  // module 0 claims 3 sections
    EXPECT_TRUE(absl::StrContains(
        ModuleSection::Decode(t.dir()).status().message(),
        "module 0 has sections 0+3, not the run from 0 within 2"));
  }
  {
    SectionRoundTrip t(WithModules(), &ModuleSection::Encode);
    t.bytes(format::kModules).pop_back();
    t.Repoint();
    EXPECT_TRUE(absl::StrContains(
        ModuleSection::Decode(t.dir()).status().message(),
        "not a multiple of 16"));
  }
  {
    SectionRoundTrip t(WithModules(), &ModuleSection::Encode);
    t.bytes(format::kModuleAliasFirst)[4] = 0;  // 3 -> 0: not ascending
    EXPECT_EQ(ModuleSection::Decode(t.dir()).status().message(),
              "section module_alias_first entry 1 is 0: not ascending below " +
                  std::to_string(SampleCatalog().symbols.size()));
  }
}

}  // namespace
}  // namespace ksym
