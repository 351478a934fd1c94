// kModuleSets.
#include "symbolizer/index/module_set_section.h"

#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(ModuleSetSectionTest, RoundTripsEverySet) {
  Catalog c = SampleCatalog();
  SectionRoundTrip t(c, &ModuleSetSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<ModuleSetSection> s = ModuleSetSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->count(), c.module_sets.size());
  EXPECT_EQ(s->CheckedSize(0), 0u);  // the empty set
  for (uint32_t set = 0; set < s->count(); ++set) {
    ASSERT_EQ(s->CheckedSize(set), c.module_sets[set].size()) << set;
    for (size_t j = 0; j < c.module_sets[set].size(); ++j) {
      EXPECT_EQ(t.strings().At(s->Ref(s->First(set) + j)),
                c.module_sets[set][j]);
    }
    EXPECT_EQ((s->Flags(set) & format::kModuleSetLoadable) != 0,
              c.loadable_module_sets.contains(set))
        << set;
  }
  EXPECT_EQ(s->CheckedSize(s->count()), 0u);
}

TEST(ModuleSetSectionTest, DecodeRefusesAPartialReference) {
  SectionRoundTrip t(SampleCatalog(), &ModuleSetSection::Encode);
  t.bytes(format::kModuleSets).push_back('\0');
  t.Repoint();
  EXPECT_EQ(ModuleSetSection::Decode(t.dir()).status().message(),
            "section module_sets has a partial module reference");
}

}  // namespace
}  // namespace ksym
