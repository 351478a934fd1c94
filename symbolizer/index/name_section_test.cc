// kNameTable, kNameData and kNameBlocks.
#include "symbolizer/index/name_section.h"

#include <string>

#include "absl/strings/match.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

std::string NameOf(const NameSection& s, uint32_t i, char* type) {
  absl::string_view enc;
  if (!s.Record(i, type, &enc)) return "<no record>";
  char buf[1024];
  return std::string(buf, s.decoder().Decode(enc, buf, sizeof(buf)));
}

TEST(NameSectionTest, RoundTripsEveryNameAndType) {
  Catalog c = SampleCatalog();
  // Past one name block, with a name of the longest length allowed.
  c.symbols.back().name = std::string(kMaxSymbolNameLength, 'z');
  SectionRoundTrip t(c, &NameSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<NameSection> s = NameSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_GT(c.symbols.size(), format::kNameBlockSize);
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    char type = 0;
    EXPECT_EQ(NameOf(*s, i, &type), c.symbols[i].name) << i;
    EXPECT_EQ(type, c.symbols[i].type) << i;
  }
  char type;
  absl::string_view enc;
  EXPECT_FALSE(s->Record(c.symbols.size(), &type, &enc));
}

TEST(NameSectionTest, DecodeRefusesABadTableOrBlockCount) {
  SectionRoundTrip t(SampleCatalog(), &NameSection::Encode);
  t.bytes(format::kNameBlocks).resize(4);
  t.Repoint();
  EXPECT_TRUE(absl::StartsWith(NameSection::Decode(t.dir()).status().message(),
                               "section name_blocks is 4 bytes, expected"));
  t.bytes(format::kNameTable).resize(10);
  t.Repoint();
  EXPECT_TRUE(absl::StartsWith(NameSection::Decode(t.dir()).status().message(),
                               "section name_table: "));
}

}  // namespace
}  // namespace ksym
