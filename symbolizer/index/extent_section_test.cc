// kSizes and kOverlaps.
#include "symbolizer/index/extent_section.h"

#include <algorithm>

#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(ExtentSectionTest, RoundTripsSizesAndTheOverlapTree) {
  Catalog c = SampleCatalog();
  SectionRoundTrip t(c, &ExtentSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<ExtentSection> s = ExtentSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  const uint32_t n = c.symbols.size();
  for (uint32_t i = 0; i < n; ++i) {
    EXPECT_EQ(s->SizeExact(i), c.symbols[i].size_exact) << i;
    if (s->SizeExact(i)) EXPECT_EQ(s->Size(i), c.symbols[i].size) << i;
  }
  // Exactly the exact-size symbols reaching past the next higher address,
  // in order; each node's max_end the largest end of its subtree.
  uint64_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const Symbol& x = c.symbols[i];
    uint32_t next = i + 1;
    while (next < n && c.symbols[next].address == x.address) ++next;
    if (!x.size_exact || next == n ||
        x.address + x.size <= c.symbols[next].address) {
      continue;
    }
    ASSERT_LT(k, s->overlap_count());
    EXPECT_EQ(s->OverlapAt(k).symbol, i);
    EXPECT_EQ(s->OverlapAt(k).start, x.address);
    EXPECT_EQ(s->OverlapAt(k).end, x.address + x.size);
    ++k;
  }
  EXPECT_EQ(k, s->overlap_count());
  EXPECT_GT(k, 1u);  // the sample nests and overlaps symbols
  for (uint64_t pos = 0; pos < k; ++pos) {
    const uint64_t span = (uint64_t{1} << __builtin_ctzll(~pos)) - 1;
    uint64_t m = 0;
    for (uint64_t q = pos - span; q <= std::min(k - 1, pos + span); ++q) {
      m = std::max(m, s->OverlapAt(q).end);
    }
    EXPECT_EQ(s->OverlapAt(pos).max_end, m) << pos;
  }
}

TEST(ExtentSectionTest, NoSizesSectionWithoutAnExactSize) {
  Catalog c = SampleCatalog();
  for (Symbol& x : c.symbols) x.size_exact = false;
  SectionRoundTrip t(c, &ExtentSection::Encode);
  ASSERT_TRUE(t.status().ok());
  EXPECT_FALSE(t.has(format::kSizes));
  absl::StatusOr<ExtentSection> s = ExtentSection::Decode(t.dir());
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->SizeExact(0));
  EXPECT_EQ(s->overlap_count(), 0u);
}

TEST(ExtentSectionTest, RefusesSizesTheFormatCannotHold) {
  Catalog c = SampleCatalog();
  c.symbols.back().size = format::kSizeInferred;
  c.symbols.back().size_exact = true;
  SectionRoundTrip t(c, &ExtentSection::Encode);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ksym
