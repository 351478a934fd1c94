// The table layout and the decoder: decoding within the caller's buffer,
// whole-name comparison, and every way a stored table can be corrupt.
#include "symbolizer/index/name_table.h"

#include <array>
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
using ::ksym::nametest::MakeTable;

TEST(NameTableTest, SerializesTheLayout) {
  std::array<uint8_t, 256> lengths{};
  NameSlots slots{};
  for (char c : std::string("ab_")) {
    lengths[static_cast<uint8_t>(c)] = 1;
    slots[static_cast<uint8_t>(c)][0] = c;
  }
  lengths[0x80] = 3;
  std::memcpy(slots[0x80].data(), "ab_", 3);
  const std::string table = SerializeNameTable(lengths, slots);
  EXPECT_EQ(table, MakeTable("ab_", {{0x80, "ab_"}}));
  EXPECT_TRUE(ValidateNameTable(table).ok());
  absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);
  ASSERT_TRUE(dec.ok()) << dec.status();
  EXPECT_EQ(dec->Expansion(0x80), "ab_");
  EXPECT_EQ(dec->Expansion('a'), "a");
  EXPECT_EQ(dec->Expansion('c'), "");
  char buf[32];
  const size_t n = dec->Decode("\x80\x80\x61", buf, sizeof(buf));
  EXPECT_EQ(absl::string_view(buf, n), "ab_ab_a");
}

void ExpectRejected(const std::string& table, absl::StatusCode code,
                    absl::string_view message) {
  absl::StatusOr<NameCodec> codec = NameCodec::FromSerialized(table);
  EXPECT_EQ(codec.status().code(), code);
  EXPECT_EQ(codec.status().message(), message);
  absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);
  EXPECT_EQ(dec.status().code(), code);
  EXPECT_EQ(dec.status().message(), message);
}

TEST(NameTableTest, EmptyName) {
  NameCodec codec = NameCodec::Learn({"", "a_b", ""});
  std::string enc = Encode(codec, "");
  EXPECT_EQ(enc, "");
  char buf[4] = {'x', 'x', 'x', 'x'};
  EXPECT_EQ(codec.Decode(enc, buf, sizeof(buf)), 0u);
  EXPECT_EQ(codec.Decode(enc, nullptr, 0), 0u);
  EXPECT_TRUE(codec.Equals("", ""));
  EXPECT_FALSE(codec.Equals("", "a"));
  EXPECT_FALSE(codec.Equals(Encode(codec, "a"), ""));
}

TEST(NameTableTest, LongName) {
  std::string name;
  while (name.size() < 512) name += "__x64_sys_getpid_";
  name.resize(512);
  std::vector<absl::string_view> names = EmbeddedNames();
  names.push_back(name);
  NameCodec codec = NameCodec::Learn(names);
  std::string enc = Encode(codec, name);
  EXPECT_LT(enc.size(), 256u);
  std::vector<char> buf(600, '#');
  EXPECT_EQ(codec.Decode(enc, buf.data(), 512), 512u);
  EXPECT_EQ(absl::string_view(buf.data(), 512), name);
  EXPECT_EQ(buf[512], '#');
  EXPECT_TRUE(codec.Equals(enc, name));
  EXPECT_FALSE(codec.Equals(enc, name.substr(0, 511)));
}

TEST(NameTableTest, DecodeHonoursCap) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  const std::string name = "__pfx___x64_sys_getppid_and_some_more.constprop.0";
  std::string enc = Encode(codec, name);
  for (size_t cap = 0; cap <= name.size() + 20; ++cap) {
    std::vector<char> buf(cap + 32, '#');
    size_t n = codec.Decode(enc, buf.data(), cap);
    ASSERT_EQ(n, name.size()) << cap;
    size_t written = std::min(cap, name.size());
    ASSERT_EQ(absl::string_view(buf.data(), written), name.substr(0, written))
        << cap;
    for (size_t i = cap; i < buf.size(); ++i) {
      ASSERT_EQ(buf[i], '#') << "cap " << cap << " wrote byte " << i;
    }
  }
  EXPECT_EQ(codec.decoder().DecodedSize(enc), name.size());
}

TEST(NameTableTest, DecodesAnyBytesWithinBounds) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  const NameDecoder& dec = codec.decoder();
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string expected;
  for (int c = 0; c < 256; ++c) {
    expected.append(std::string(dec.Expansion(static_cast<uint8_t>(c))));
  }
  std::vector<char> buf(expected.size() + 16, '#');
  ASSERT_EQ(dec.Decode(all, buf.data(), expected.size()), expected.size());
  EXPECT_EQ(absl::string_view(buf.data(), expected.size()), expected);
  EXPECT_EQ(buf[expected.size()], '#');
  EXPECT_TRUE(dec.Equals(all, expected));
  // Unused codes decode to nothing.
  NameCodec small = NameCodec::Learn({"abab"});
  int unused = 0;
  for (int c = 0; c < 256; ++c) {
    if (small.decoder().Expansion(static_cast<uint8_t>(c)).empty()) {
      ++unused;
      std::string one = "a" + std::string(1, static_cast<char>(c)) + "b";
      EXPECT_EQ(small.decoder().Decode(one, buf.data(), buf.size()), 2u);
      EXPECT_EQ(absl::string_view(buf.data(), 2), "ab");
      EXPECT_TRUE(small.Equals(one, "ab"));
    }
  }
  EXPECT_EQ(unused, 256 - 2 - 1);
}

TEST(NameTableTest, EqualsComparesWholeNames) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::string enc = Encode(codec, "ext4_fill_super");
  EXPECT_TRUE(codec.Equals(enc, "ext4_fill_super"));
  EXPECT_FALSE(codec.Equals(enc, "ext4_fill_supe"));     // plain is a prefix
  EXPECT_FALSE(codec.Equals(enc, "ext4_fill_super_x"));  // encoded is one
  EXPECT_FALSE(codec.Equals(enc, "ext4_fill_supeR"));
  EXPECT_FALSE(codec.Equals(enc, "Ext4_fill_super"));
  EXPECT_FALSE(codec.Equals(enc, ""));
  EXPECT_FALSE(codec.Equals(enc.substr(0, enc.size() - 1), "ext4_fill_super"));
  std::string longer = Encode(codec, "ext4_fill_super.constprop.0");
  EXPECT_FALSE(codec.Equals(longer, "ext4_fill_super"));
  EXPECT_TRUE(codec.Equals(longer, "ext4_fill_super.constprop.0"));
}

TEST(NameTableTest, DecoderOpensSerializedTable) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::string table = codec.Serialize();
  absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);
  ASSERT_TRUE(dec.ok()) << dec.status();
  for (absl::string_view name : EmbeddedNames()) {
    std::string enc = Encode(codec, name);
    char buf[128];
    size_t n = dec->Decode(enc, buf, sizeof(buf));
    EXPECT_EQ(absl::string_view(buf, n), name);
    EXPECT_TRUE(dec->Equals(enc, name));
  }
}

TEST(NameTableTest, RejectsTruncatedTable) {
  std::string table = NameCodec::Learn(EmbeddedNames()).Serialize();
  ExpectRejected(table.substr(0, 4359), absl::StatusCode::kDataLoss,
                 "name table: 4359 bytes (expected 4360)");
  ExpectRejected("", absl::StatusCode::kDataLoss,
                 "name table: 0 bytes (expected 4360)");
  ExpectRejected(table + "x", absl::StatusCode::kDataLoss,
                 "name table: 4361 bytes (expected 4360)");
}

TEST(NameTableTest, RejectsBadMagicAndVersion) {
  std::string table = MakeTable("ab", {});
  table[0] = 'X';
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: bad magic \"XSNT\" (expected \"KSNT\")");
  table = MakeTable("ab", {});
  table[4] = 2;
  ExpectRejected(table, absl::StatusCode::kFailedPrecondition,
                 "name table: version 2 (expected 1)");
}

TEST(NameTableTest, RejectsCorruptCodes) {
  std::string table = MakeTable("ab", {{0x80, "ab"}});
  table[8 + 0x80] = 17;
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 has length 17 (expected at most 16)");

  table = MakeTable("ab", {{0x80, "ab"}});
  table[264 + 16 * 0x80 + 15] = 'z';
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 has a non-zero byte after its 2-byte "
                 "expansion (expected zero padding)");

  table = MakeTable("ab", {});
  table[264 + 16 * 0x10] = 'z';  // unused code with a stray byte
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x10 has a non-zero byte after its 0-byte "
                 "expansion (expected zero padding)");

  table = MakeTable("ab", {{0x80, "b"}});
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 expands to the single byte 0x62 "
                 "(expected a 1-byte expansion to be the code itself)");

  table = MakeTable("ab", {{0x80, "abc"}});
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 expands to \"abc\" whose byte 0x63 "
                 "has no literal code (expected every byte of an expansion "
                 "to be a 1-byte code)");

  table = MakeTable("ab", {{0x90, "ab"}, {0x80, "ba"}, {0x81, "ab"}});
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: codes 0x81 and 0x90 both expand to \"ab\" "
                 "(expected distinct expansions)");
}

}  // namespace
}  // namespace ksym
