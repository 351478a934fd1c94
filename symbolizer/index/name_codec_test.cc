// The codec as the index writer uses it: learned on real names, every name
// round-trips and compresses; copies and moves keep their own table.
#include "symbolizer/index/name_codec.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "symbolizer/index/name_testing.h"

namespace ksym {
namespace {

using ::ksym::nametest::EmbeddedNames;
using ::ksym::nametest::Encode;
using ::ksym::nametest::KallsymsOrEmbedded;
using ::ksym::nametest::ReferenceEncode;

TEST(NameCodecTest, RoundTripsEmbeddedNames) {
  std::vector<absl::string_view> names = EmbeddedNames();
  NameCodec codec = NameCodec::Learn(names);
  size_t plain = 0, encoded = 0;
  for (absl::string_view name : names) {
    std::string enc = Encode(codec, name);
    EXPECT_EQ(codec.DecodeToString(enc), name);
    EXPECT_TRUE(codec.Equals(enc, name)) << name;
    EXPECT_EQ(enc, ReferenceEncode(codec.decoder(), name)) << name;
    plain += name.size();
    encoded += enc.size();
  }
  EXPECT_GT(codec.merged_codes(), 100);
  EXPECT_LT(encoded, plain / 2) << "learned on these names, they compress";
}

TEST(NameCodecTest, RoundTripsKallsyms) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  size_t plain = 0, encoded = 0;
  std::string enc;
  char buf[1024];
  for (absl::string_view name : names) {
    enc.clear();
    ASSERT_TRUE(codec.Encode(name, &enc).ok()) << name;
    size_t n = codec.Decode(enc, buf, sizeof(buf));
    ASSERT_EQ(absl::string_view(buf, n), name);
    ASSERT_TRUE(codec.Equals(enc, name)) << name;
    plain += name.size();
    encoded += enc.size();
  }
  // Learned from a sample, the table still fits all names.
  EXPECT_LE(static_cast<double>(encoded) / plain, 0.55)
      << names.size() << " names";
}

TEST(NameCodecTest, CopiesAndMovesKeepTheirOwnTable) {
  NameCodec a = NameCodec::Learn(EmbeddedNames());
  std::string enc = Encode(a, "_raw_spin_lock_irqsave");
  NameCodec b = a;
  NameCodec c = std::move(a);
  a = NameCodec::Learn({"zzz"});  // reuse the moved-from object
  EXPECT_EQ(b.DecodeToString(enc), "_raw_spin_lock_irqsave");
  EXPECT_EQ(c.DecodeToString(enc), "_raw_spin_lock_irqsave");
  EXPECT_EQ(Encode(c, "_raw_spin_lock_irqsave"), enc);
  b = c;
  c = NameCodec::Learn({"zzz"});
  EXPECT_EQ(Encode(b, "_raw_spin_lock_irqsave"), enc);
  EXPECT_EQ(Encode(c, "zzz"), Encode(a, "zzz"));
}

}  // namespace
}  // namespace ksym
