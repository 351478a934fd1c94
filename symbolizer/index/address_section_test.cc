// kSegments and kAddressOffsets.
#include "symbolizer/index/address_section.h"

#include "absl/strings/match.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(AddressSectionTest, RoundTripsEveryAddress) {
  Catalog c = SampleCatalog();
  SectionRoundTrip t(c, &AddressSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<AddressSection> s = AddressSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    EXPECT_EQ(s->Address(i), c.symbols[i].address) << i;
  }
  // Per-cpu data near 0 and kernel text are 4 GiB and more apart: a
  // segment each, tiling the symbols in order.
  ASSERT_GE(s->segment_count(), 2u);
  uint64_t next = 0;
  for (uint32_t k = 0; k < s->segment_count(); ++k) {
    EXPECT_EQ(s->SegmentFirst(k), next);
    EXPECT_EQ(s->SegmentBase(k), c.symbols[next].address);
    next += s->SegmentSymbols(k);
  }
  EXPECT_EQ(next, c.symbols.size());
}

TEST(AddressSectionTest, DecodeRefusesSegmentsThatDoNotTile) {
  Catalog c = SampleCatalog();
  SectionRoundTrip t(c, &AddressSection::Encode);
  std::string& segments = t.bytes(format::kSegments);
  segments[8 + 16 + 8] ^= 1;  // the second segment's first symbol
  EXPECT_TRUE(absl::StrContains(
      AddressSection::Decode(t.dir()).status().message(),
      "does not continue the previous one"));
  segments[8 + 16 + 8] ^= 1;
  t.bytes(format::kAddressOffsets).resize(4);
  t.Repoint();
  EXPECT_TRUE(absl::StartsWith(
      AddressSection::Decode(t.dir()).status().message(),
      "section address_offsets is 4 bytes, expected"));
}

}  // namespace
}  // namespace ksym
