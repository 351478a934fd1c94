#include "symbolizer/index/string_table.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/index/format.h"

namespace ksym {
namespace {

SectionDirectory WithStrings(absl::string_view bytes) {
  SectionDirectory d;
  d.present[format::kStrings] = true;
  d.section[format::kStrings] = bytes;
  return d;
}

TEST(StringTableTest, RoundTripsAndDeduplicates) {
  StringTableBuilder b;
  absl::StatusOr<uint32_t> ext4 = b.Add("ext4", "module name");
  absl::StatusOr<uint32_t> path = b.Add("fs/ext4/inode.o", "object path");
  ASSERT_TRUE(ext4.ok() && path.ok());
  EXPECT_EQ(*b.Add("ext4", "module name"), *ext4);
  EXPECT_EQ(*b.Add("", "empty"), 0u);
  absl::StatusOr<StringsSection> s = StringsSection::Decode(WithStrings(b.blob()));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->At(0), "");
  EXPECT_EQ(s->At(*ext4), "ext4");
  EXPECT_EQ(s->At(*path), "fs/ext4/inode.o");
  // A ref past the end, or whose record runs past it, reads as "".
  EXPECT_EQ(s->At(static_cast<uint32_t>(b.blob().size())), "");
  EXPECT_EQ(s->At(static_cast<uint32_t>(b.blob().size()) - 1), "");
}

TEST(StringTableTest, RefusesWhatTheFormatCannotHold) {
  StringTableBuilder b;
  absl::StatusOr<uint32_t> r = b.Add(std::string(65536, 'm'), "module name");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "module name \"mmm"))
      << r.status();
  EXPECT_TRUE(b.Add(std::string(65535, 'm'), "module name").ok());
}

TEST(StringTableTest, DecodeWantsTheEmptyStringFirst) {
  EXPECT_EQ(StringsSection::Decode(WithStrings("")).status().message(),
            "section strings does not start with the empty string");
  EXPECT_EQ(StringsSection::Decode(WithStrings(std::string("\1\0x", 3)))
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ksym
