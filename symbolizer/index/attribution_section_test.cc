// kAttribution.
#include "symbolizer/index/attribution_section.h"

#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(AttributionSectionTest, RoundTripsEverySymbolsModuleSetAndObject) {
  Catalog c = SampleCatalog();
  SectionRoundTrip t(c, &AttributionSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<AttributionSection> s = AttributionSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  // Runs: fewer than symbols, each a change of (module set, object).
  EXPECT_LT(s->run_count(), c.symbols.size());
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    const uint32_t run = s->RunOf(i);
    ASSERT_NE(run, ~0u);
    EXPECT_EQ(s->RunModuleSet(run), c.symbols[i].module_set) << i;
    EXPECT_EQ(s->RunObject(run), c.symbols[i].object == kNoObject
                                     ? format::kNoObjectId
                                     : c.symbols[i].object)
        << i;
  }
}

TEST(AttributionSectionTest, RefusesWhatDoesNotExistOrStartAtZero) {
  Catalog c = SampleCatalog();
  c.symbols[2].object = c.objects.size();
  EXPECT_EQ(SectionRoundTrip(c, &AttributionSection::Encode).status().code(),
            absl::StatusCode::kInvalidArgument);
  SectionRoundTrip t(SampleCatalog(), &AttributionSection::Encode);
  t.bytes(format::kAttribution)[8] = 1;  // first run's first symbol
  EXPECT_EQ(AttributionSection::Decode(t.dir()).status().message(),
            "section attribution does not start at symbol 0");
}

}  // namespace
}  // namespace ksym
