// Learning a table: deterministic, the layout it fills, literal codes for
// every byte any name has (sampled or not), no names at all.
#include "symbolizer/index/name_learner.h"

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

TEST(NameLearnerTest, LearningIsDeterministic) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec a = NameCodec::Learn(names);
  NameCodec b = NameCodec::Learn(names);
  EXPECT_EQ(a.Serialize(), b.Serialize());
  absl::StatusOr<NameCodec> c = NameCodec::FromSerialized(a.Serialize());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->Serialize(), a.Serialize());
  for (size_t i = 0; i < names.size(); i += 101) {
    EXPECT_EQ(Encode(*c, names[i]), Encode(a, names[i]));
  }
}

TEST(NameLearnerTest, SerializedLayout) {
  NameCodec codec = NameCodec::Learn({"ab", "ab", "ab"});
  const std::string& t = codec.Serialize();
  ASSERT_EQ(t.size(), 4360u);
  EXPECT_EQ(t.substr(0, 8), absl::string_view("KSNT\x01\0\0\0", 8));
  EXPECT_EQ(t[8 + 'a'], 1);
  EXPECT_EQ(t[264 + 16 * 'a'], 'a');
  EXPECT_EQ(t[8 + 'b'], 1);
  // "ab" takes the lowest code no name byte uses.
  EXPECT_EQ(t[8 + 0], 2);
  EXPECT_EQ(t.substr(264, 16),
            absl::string_view("ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
  EXPECT_EQ(t[8 + 1], 0);
  EXPECT_EQ(codec.merged_codes(), 1);
  EXPECT_EQ(Encode(codec, "abab"), absl::string_view("\0\0", 2));
}

TEST(NameLearnerTest, RareBytesKeepLiteralCodes) {
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::vector<std::string> storage = {
      "plain_name",  std::string("with\0nul", 8),
      "tab\there",   "\xff\xfe\x80",
      "caf\xc3\xa9", "\x01"};
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  for (absl::string_view name : names) {
    EXPECT_EQ(codec.DecodeToString(Encode(codec, name)), name);
  }
  // All 256 byte values: every code is a literal, nothing left to merge.
  storage.push_back(all + std::string(1, '\0'));
  names.assign(storage.begin(), storage.end());
  NameCodec full = NameCodec::Learn(names);
  EXPECT_EQ(full.merged_codes(), 0);
  std::string expected;
  for (absl::string_view name : names) {
    std::string enc = Encode(full, name);
    EXPECT_EQ(enc, name);
    EXPECT_EQ(full.DecodeToString(enc), name);
    expected += enc;
  }
  std::string encoded;
  std::vector<uint32_t> ends;
  ASSERT_TRUE(full.EncodeAll(names, &encoded, &ends).ok());
  EXPECT_EQ(encoded, expected);
}

TEST(NameLearnerTest, NoNames) {
  NameCodec codec = NameCodec::Learn({});
  EXPECT_EQ(codec.merged_codes(), 0);
  EXPECT_EQ(Encode(codec, ""), "");
  std::string out;
  EXPECT_EQ(codec.Encode("a", &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(NameLearnerTest, SmallSampleStillEncodesEveryName) {
  std::vector<absl::string_view> names = EmbeddedNames();
  names.push_back("only_here_Q");  // 'Q' occurs in no other name
  NameCodec codec = NameCodec::Learn(names, /*sample_bytes=*/64);
  for (absl::string_view name : names) {
    EXPECT_EQ(codec.DecodeToString(Encode(codec, name)), name);
  }
}

}  // namespace
}  // namespace ksym
