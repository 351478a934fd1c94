// The encoder: greedy longest match (against a reference encoder), back-off
// after long partial matches, EncodeAll = Encode name by name, and bytes
// without a code refused.
#include "symbolizer/index/name_encoder.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "symbolizer/index/name_codec.h"
#include "symbolizer/index/name_testing.h"

namespace ksym {
namespace {

using ::ksym::nametest::EmbeddedNames;
using ::ksym::nametest::Encode;
using ::ksym::nametest::KallsymsOrEmbedded;
using ::ksym::nametest::MakeTable;
using ::ksym::nametest::ReferenceEncode;

TEST(NameEncoderTest, EncodeAllMatchesEncode) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  // Every count of names up to a few per lane, then all of them.
  std::vector<size_t> counts = {0, 1, 2, 3, 4, 5, 9, 1000, names.size()};
  for (size_t count : counts) {
    if (count > names.size()) continue;
    std::vector<absl::string_view> some(names.begin(), names.begin() + count);
    some.insert(some.begin() + count / 2, "");  // an empty name mid-lane
    std::string all = "prefix";
    std::vector<uint32_t> ends = {7, 7, 7};
    ASSERT_TRUE(codec.EncodeAll(some, &all, &ends).ok());
    ASSERT_EQ(ends.size(), some.size());
    std::string expected = "prefix";
    for (size_t i = 0; i < some.size(); ++i) {
      ASSERT_TRUE(codec.Encode(some[i], &expected).ok());
      ASSERT_EQ(ends[i], expected.size()) << count << " names, name " << i;
    }
    ASSERT_EQ(all, expected) << count << " names";
  }
}

TEST(NameEncoderTest, EncodeAllReportsTheFirstBadName) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::vector<absl::string_view> names = EmbeddedNames();
  names[100] = "ext4_super!";
  names[3] = "tab\there";
  std::string out = "kept";
  std::vector<uint32_t> ends;
  absl::Status st = codec.EncodeAll(names, &out, &ends);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "name \"tab\\there\" has byte 0x09 at offset 3 that the name "
            "table has no code for (expected only bytes that occurred in the "
            "names the table was learned from)");
  EXPECT_EQ(out, "kept");
  // Only a name in the last lane.
  names = EmbeddedNames();
  names[names.size() - 2] = "ext4_super!";
  st = codec.EncodeAll(names, &out, &ends);
  EXPECT_EQ(st.message(),
            "name \"ext4_super!\" has byte 0x21 at offset 10 that the name "
            "table has no code for (expected only bytes that occurred in the "
            "names the table was learned from)");
  EXPECT_EQ(out, "kept");
}

TEST(NameEncoderTest, EncoderIsGreedyLongestMatch) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  for (size_t i = 0; i < names.size(); i += 37) {
    ASSERT_EQ(Encode(codec, names[i]),
              ReferenceEncode(codec.decoder(), names[i]))
        << names[i];
  }
}

// Matches that fail after several bytes must back off to the longest
// expansion read so far and re-read the rest.
TEST(NameEncoderTest, EncoderBacksOffLikeGreedy) {
  std::string table = MakeTable("abcdx", {{0x80, "abcd"},
                                          {0x81, "bc"},
                                          {0x82, "abx"},
                                          {0x83, "bcdab"},
                                          {0x84, "cdabcdabcdabcda"},
                                          {0x85, "ab"},
                                          {0x86, "dabc"}});
  absl::StatusOr<NameCodec> codec = NameCodec::FromSerialized(table);
  ASSERT_TRUE(codec.ok()) << codec.status();
  EXPECT_EQ(Encode(*codec, "abcx"), "\x85\x63x");
  EXPECT_EQ(Encode(*codec, "abcd"), "\x80");
  EXPECT_EQ(Encode(*codec, "abc"), "\x85\x63");
  EXPECT_EQ(Encode(*codec, "bcda"), "\x81\x64\x61");
  // Every string over the alphabet up to length 7, and some longer ones.
  std::string s;
  std::vector<std::string> inputs = {"", "cdabcdabcdabcdx", "cdabcdabcdabcd",
                                     "bcdabcdabcdabcdabcdax"};
  for (int len = 1; len <= 7; ++len) {
    int total = 1;
    for (int i = 0; i < len; ++i) total *= 5;
    for (int v = 0; v < total; ++v) {
      s.clear();
      for (int i = 0, x = v; i < len; ++i, x /= 5) s.push_back("abcdx"[x % 5]);
      inputs.push_back(s);
    }
  }
  std::string expected;
  for (const std::string& in : inputs) {
    std::string enc = Encode(*codec, in);
    ASSERT_EQ(enc, ReferenceEncode(codec->decoder(), in)) << in;
    ASSERT_EQ(codec->DecodeToString(enc), in);
    expected += enc;
  }
  // The same through EncodeAll, which emits long backoffs from a pool.
  std::vector<absl::string_view> views(inputs.begin(), inputs.end());
  std::string all;
  std::vector<uint32_t> ends;
  ASSERT_TRUE(codec->EncodeAll(views, &all, &ends).ok());
  EXPECT_EQ(all, expected);
  EXPECT_EQ(ends.back(), expected.size());
}

TEST(NameEncoderTest, ByteNotLearnedIsAnError) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::string out = "kept";
  absl::Status st = codec.Encode("ext4_\x07super", &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "name \"ext4_\\x07super\" has byte 0x07 at offset 5 that the name "
            "table has no code for (expected only bytes that occurred in the "
            "names the table was learned from)");
  EXPECT_EQ(out, "kept");
  st = codec.Encode("ext4_fill_super!", &out);
  EXPECT_EQ(st.message(),
            "name \"ext4_fill_super!\" has byte 0x21 at offset 15 that the "
            "name table has no code for (expected only bytes that occurred "
            "in the names the table was learned from)");
  EXPECT_EQ(out, "kept");
}

TEST(NameEncoderTest, AcceptsHandMadeTable) {
  absl::StatusOr<NameCodec> codec =
      NameCodec::FromSerialized(MakeTable("ab_", {{0x80, "ab_"}}));
  ASSERT_TRUE(codec.ok()) << codec.status();
  EXPECT_EQ(codec->merged_codes(), 1);
  EXPECT_EQ(Encode(*codec, "ab_ab_a"), "\x80\x80\x61");
}

}  // namespace
}  // namespace ksym
