// kObjects, kModuleRules and kDataAnnotations.
#include "symbolizer/index/object_section.h"

#include "absl/strings/match.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

TEST(ObjectSectionTest, RoundTripsPathsAnnotationsAndRules) {
  Catalog c = SampleCatalog();
  c.objects[1].module_rule = 3;
  SectionRoundTrip t(c, &ObjectSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  absl::StatusOr<ObjectSection> s = ObjectSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->count(), c.objects.size());
  EXPECT_TRUE(s->has_module_rules());
  bool any_annotation = false;
  for (uint32_t o = 0; o < s->count(); ++o) {
    const absl::string_view path = t.strings().At(s->PathRef(o));
    EXPECT_EQ(path, c.objects[o].path);
    const uint32_t start = s->AnnotationStart(o);
    EXPECT_EQ(start == format::kNoAnnotation ? "" : path.substr(start),
              c.objects[o].annotation);
    any_annotation |= start != format::kNoAnnotation;
    EXPECT_EQ(s->ModuleRule(o), c.objects[o].module_rule);
  }
  EXPECT_TRUE(any_annotation);  // the sample has duplicate names to tell apart
}

TEST(ObjectSectionTest, DataAnnotationsRoundTripApartFromText) {
  Catalog c = SampleCatalog();
  ASSERT_GE(c.objects.size(), 2u);
  for (ObjectFile& o : c.objects) o.data_annotation.clear();
  {
    // No data annotation: no section, and every object reads none.
    SectionRoundTrip t(c, &ObjectSection::Encode);
    ASSERT_TRUE(t.status().ok());
    EXPECT_FALSE(t.has(format::kDataAnnotations));
    absl::StatusOr<ObjectSection> s = ObjectSection::Decode(t.dir());
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->AnnotationStart(0, NameKind::kData), format::kNoAnnotation);
  }
  c.objects[1].data_annotation = c.objects[1].path;
  c.objects[1].annotation.clear();
  SectionRoundTrip t(c, &ObjectSection::Encode);
  ASSERT_TRUE(t.status().ok()) << t.status();
  EXPECT_TRUE(t.has(format::kDataAnnotations));
  absl::StatusOr<ObjectSection> s = ObjectSection::Decode(t.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->AnnotationStart(1, NameKind::kData), 0u);
  EXPECT_EQ(s->AnnotationStart(1, NameKind::kText), format::kNoAnnotation);
  EXPECT_EQ(s->AnnotationStart(0, NameKind::kData), format::kNoAnnotation);

  c.objects[1].data_annotation = "not_a_suffix.o";
  EXPECT_EQ(SectionRoundTrip(c, &ObjectSection::Encode).status().code(),
            absl::StatusCode::kInvalidArgument);
  c.objects[1].data_annotation = c.objects[1].path;
  SectionRoundTrip cut(c, &ObjectSection::Encode);
  cut.bytes(format::kDataAnnotations).pop_back();
  cut.Repoint();
  EXPECT_TRUE(absl::StartsWith(
      ObjectSection::Decode(cut.dir()).status().message(),
      "section data_annotations is "));
}

TEST(ObjectSectionTest, NoRulesSectionWithoutARule) {
  SectionRoundTrip t(SampleCatalog(), &ObjectSection::Encode);
  ASSERT_TRUE(t.status().ok());
  EXPECT_FALSE(t.has(format::kModuleRules));
  absl::StatusOr<ObjectSection> s = ObjectSection::Decode(t.dir());
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_module_rules());
  EXPECT_EQ(s->ModuleRule(0), 0);
}

TEST(ObjectSectionTest, RefusesBadAnnotationsAndRuleCounts) {
  Catalog c = SampleCatalog();
  c.objects[0].annotation = "not_a_suffix.o";
  EXPECT_EQ(SectionRoundTrip(c, &ObjectSection::Encode).status().code(),
            absl::StatusCode::kInvalidArgument);
  c = SampleCatalog();
  c.objects[0].module_rule = 1;
  SectionRoundTrip t(c, &ObjectSection::Encode);
  t.bytes(format::kModuleRules).pop_back();
  t.Repoint();
  EXPECT_TRUE(absl::StartsWith(
      ObjectSection::Decode(t.dir()).status().message(),
      "section module_rules is "));
}

}  // namespace
}  // namespace ksym
