// kIdentity and kSources: what the index says about its kernel and build.
#include "symbolizer/index/identity_section.h"

#include "absl/strings/match.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"
#include "symbolizer/index/sources_section.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(IdentitySectionTest, RoundTrips) {
  for (bool known : {true, false}) {
    Catalog c = SampleCatalog();
    c.identity.kaslr_offset_known = known;
    c.identity.kaslr_offset = known ? -0x1c000000 : 0;
    SectionRoundTrip t(c, &IdentitySection::Encode);
    ASSERT_TRUE(t.status().ok()) << t.status();
    absl::StatusOr<IdentitySection> s = IdentitySection::Decode(t.dir());
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->kaslr_offset, c.identity.kaslr_offset);
    EXPECT_EQ(s->kaslr_offset_known, known);
    EXPECT_EQ(t.strings().At(s->refs[0]), c.identity.release);
    EXPECT_EQ(t.strings().At(s->refs[1]), c.identity.build_id);
    EXPECT_EQ(t.strings().At(s->refs[2]), c.identity.arch);
  }
}

TEST(IdentitySectionTest, DecodeWantsItsSize) {
  SectionRoundTrip t(SampleCatalog(), &IdentitySection::Encode);
  t.bytes(format::kIdentity).pop_back();
  t.Repoint();
  EXPECT_TRUE(absl::StartsWith(
      IdentitySection::Decode(t.dir()).status().message(),
      "section identity is 31 bytes, expected 32"));
}

TEST(IdentitySectionTest, UndefinedFlagsAndReservedFieldsAreDamage) {
  SectionRoundTrip t(SampleCatalog(), &IdentitySection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  ASSERT_TRUE(IdentitySection::Decode(t.dir()).ok());
  std::string& b = t.bytes(format::kIdentity);
  b[24] |= 0x02;  // flags: a bit beyond kIdentityKaslrUnknown
  absl::Status s = IdentitySection::Decode(t.dir()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(),
            "section identity has unknown flags 0x2 (defined: 0x1)");
  b[24] = 0;
  ASSERT_TRUE(IdentitySection::Decode(t.dir()).ok());
  for (size_t at : {20, 23, 28, 31}) {
    b[at] = 1;
    EXPECT_TRUE(absl::StrContains(
        IdentitySection::Decode(t.dir()).status().message(),
        "reserved fields (bytes 20-23, 28-31) are not zero"))
        << at;
    b[at] = 0;
  }
}

TEST(SourcesSectionTest, RoundTripsAndIsLeftOutWhenEmpty) {
  Catalog c = SampleCatalog();
  {
    SectionRoundTrip t(c, &SourcesSection::Encode);
    ASSERT_TRUE(t.status().ok());
    EXPECT_FALSE(t.has(format::kSources));
    absl::StatusOr<SourcesSection> s = SourcesSection::Decode(t.dir());
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->count(), 0u);
  }
  c.sources.push_back({"kallsyms", "/proc/kallsyms", SourceState::kFound, ""});
  c.sources.push_back({"vmlinux", "/boot/vmlinux", SourceState::kRejected,
                       "build-id differs"});
  SectionRoundTrip t(c, &SourcesSection::Encode);
  ASSERT_TRUE(t.status().ok());
  absl::StatusOr<SourcesSection> s = SourcesSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->count(), 2u);
  for (uint64_t k = 0; k < 2; ++k) {
    const SourcesSection::Entry e = s->At(k);
    EXPECT_EQ(t.strings().At(e.what), c.sources[k].what);
    EXPECT_EQ(t.strings().At(e.path), c.sources[k].path);
    EXPECT_EQ(t.strings().At(e.why), c.sources[k].why);
    EXPECT_EQ(e.state, c.sources[k].state);
  }
  // A state that is none of found, missing, rejected.
  t.bytes(format::kSources)[8 + 16 + 12] = 3;
  EXPECT_EQ(SourcesSection::Decode(t.dir()).status().message(),
            "source 1 has state 3, not 0, 1 or 2");
}

}  // namespace
}  // namespace ksym
