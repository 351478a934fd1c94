// The table as a whole: every section an index needs, written and read
// back in table order.
#include "symbolizer/index/section_table.h"

#include <set>

#include "fuzz/sample_index.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(SectionTableTest, EncodesEveryRequiredSectionOnceAndDecodesThem) {
  Catalog c = SampleCatalog();
  c.objects[0].module_rule = 2;
  c.objects[0].data_annotation = c.objects[0].path;
  c.sources.push_back({"kallsyms", "/proc/kallsyms", SourceState::kFound, ""});
  LoadedModuleRecord ext4;
  ext4.name = "ext4";
  c.modules.push_back(ext4);
  c.symbols[2].module_alias_first = true;
  absl::StatusOr<EncodedSections> e = EncodeSections(c);
  ASSERT_TRUE(e.ok()) << e.status();
  std::set<uint32_t> ids;
  SectionDirectory dir;
  dir.symbol_count = c.symbols.size();
  for (const auto& [id, body] : *e) {
    EXPECT_TRUE(ids.insert(id).second) << format::SectionName(id);
    dir.present[id] = true;
    dir.section[id] = body;
  }
  // With sizes, rules, data annotations, sources and modules, every section
  // this version knows.
  for (uint32_t id = 1; id <= format::kLastSectionId; ++id) {
    EXPECT_EQ(ids.count(id), 1u) << format::SectionName(id);
  }
  EXPECT_EQ(e->back().first, format::kStrings);  // after what added to it
  absl::StatusOr<IndexSections> s = DecodeSections(dir);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->symbol_count, c.symbols.size());
  EXPECT_EQ(s->strings.At(s->identity.refs[0]), c.identity.release);
  EXPECT_EQ(s->addresses.Address(3), c.symbols[3].address);
  EXPECT_EQ(s->objects.ModuleRule(0), 2);
  EXPECT_EQ(s->sources.count(), 1u);
  EXPECT_EQ(s->module_sets.count(), c.module_sets.size());
  EXPECT_EQ(s->modules.count(), 1u);
  EXPECT_TRUE(s->modules.IsAliasFirst(2));
}

TEST(SectionTableTest, DecodeNamesTheFirstBadSection) {
  SectionDirectory dir;  // nothing in it
  EXPECT_EQ(DecodeSections(dir).status().message(),
            "section strings does not start with the empty string");
}

}  // namespace
}  // namespace ksym
