// kNameHash.
#include "symbolizer/index/name_hash_section.h"

#include <set>

#include "absl/strings/match.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(NameHashSectionTest, EverySymbolIsInItsNamesBucketOnce) {
  Catalog c = SampleCatalog();
  SectionRoundTrip t(c, &NameHashSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<NameHashSection> s = NameHashSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->tagged());
  ASSERT_GE(s->bucket_count(), 1u);
  EXPECT_EQ(s->Offset(0), 0u);
  EXPECT_EQ(s->Offset(s->bucket_count()), c.symbols.size());
  std::set<uint32_t> seen;
  for (uint32_t b = 0; b < s->bucket_count(); ++b) {
    for (uint32_t k = s->Offset(b); k < s->Offset(b + 1); ++k) {
      const uint32_t slot = s->Slot(k);
      const uint32_t i = slot & s->SymbolMask();
      ASSERT_LT(i, c.symbols.size());
      const uint64_t h = format::NameHash(c.symbols[i].name);
      EXPECT_EQ(h % s->bucket_count(), b) << c.symbols[i].name;
      EXPECT_EQ(slot & ~s->SymbolMask(), s->TagOf(h));
      EXPECT_TRUE(seen.insert(i).second) << i;
    }
  }
  EXPECT_EQ(seen.size(), c.symbols.size());
}

TEST(NameHashSectionTest, DecodeWantsTheSizeItsCountsSay) {
  SectionRoundTrip t(SampleCatalog(), &NameHashSection::Encode);
  t.bytes(format::kNameHash).resize(t.bytes(format::kNameHash).size() - 4);
  t.Repoint();
  EXPECT_TRUE(absl::StartsWith(
      NameHashSection::Decode(t.dir()).status().message(),
      "section name_hash is "));
}

}  // namespace
}  // namespace ksym
