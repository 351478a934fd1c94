// Header and section directory checks, on files built byte by byte.
#include "symbolizer/index/section_directory.h"

#include <cstring>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/index/bytes.h"
#include "symbolizer/index/format.h"

namespace ksym {
namespace {

// Every required section (all but kSizes, kSources, kModuleRules) with a
// few distinct bytes, laid out as format.h says, checksums correct.
struct Layout {
  std::map<uint32_t, std::string> sections;
  uint32_t flags = 0;
  uint64_t symbol_count = 3;
};

Layout Required() {
  Layout l;
  for (uint32_t id : {format::kStrings, format::kIdentity, format::kSegments,
                      format::kAddressOffsets, format::kNameTable,
                      format::kNameData, format::kNameBlocks,
                      format::kModuleSets, format::kObjects,
                      format::kAttribution, format::kOverlaps,
                      format::kNameHash}) {
    l.sections[id] = std::string(id, static_cast<char>('a' + id));
  }
  return l;
}

void FixHeaderCrc(std::string& f) {
  const uint32_t count = bytes::Load32(&f[24]);
  std::string head =
      f.substr(0, format::kHeaderSize + format::kSectionEntrySize * count);
  std::memset(&head[40], 0, 4);
  bytes::Store<uint32_t>(&f[40], SectionCrc(head));
}

std::string Encode(const Layout& l) {
  std::string f(format::kHeaderSize, '\0');
  std::memcpy(&f[0], format::kMagic, sizeof(format::kMagic));
  bytes::Store<uint32_t>(&f[8], format::kFormatVersion);
  bytes::Store<uint32_t>(&f[12], format::kHeaderSize);
  bytes::Store<uint32_t>(&f[24], static_cast<uint32_t>(l.sections.size()));
  bytes::Store<uint32_t>(&f[28], l.flags);
  bytes::Store<uint64_t>(&f[32], l.symbol_count);
  f.resize(f.size() + format::kSectionEntrySize * l.sections.size());
  size_t e = format::kHeaderSize;
  for (const auto& [id, body] : l.sections) {
    f.resize((f.size() + 7) / 8 * 8, '\0');
    bytes::Store<uint32_t>(&f[e], id);
    bytes::Store<uint32_t>(&f[e + 4], SectionCrc(body));
    bytes::Store<uint64_t>(&f[e + 8], f.size());
    bytes::Store<uint64_t>(&f[e + 16], body.size());
    f += body;
    e += format::kSectionEntrySize;
  }
  bytes::Store<uint64_t>(&f[16], f.size());
  FixHeaderCrc(f);
  return f;
}

// Offset of the directory entry of section `id`.
size_t EntryOf(const std::string& f, uint32_t id) {
  for (uint32_t i = 0; i < bytes::Load32(&f[24]); ++i) {
    const size_t e = format::kHeaderSize + format::kSectionEntrySize * i;
    if (bytes::Load32(&f[e]) == id) return e;
  }
  ADD_FAILURE() << "no section " << id;
  return 0;
}

absl::Status Error(const std::string& f, bool verify = true) {
  return ReadSectionDirectory(f, "t.ksym", verify).status();
}

TEST(SectionDirectoryTest, CutsEverySection) {
  Layout l = Required();
  l.flags = format::kFlagRuntimeAddresses;
  const std::string f = Encode(l);
  absl::StatusOr<SectionDirectory> d = ReadSectionDirectory(f, "t", true);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->symbol_count, 3u);
  EXPECT_EQ(d->flags, format::kFlagRuntimeAddresses);
  for (uint32_t id = 1; id <= format::kLastSectionId; ++id) {
    EXPECT_EQ(d->present[id], l.sections.count(id) == 1) << id;
    if (d->present[id]) EXPECT_EQ(d->section[id], l.sections[id]) << id;
  }
  const std::vector<SectionInfo> list = ListSections(f);
  ASSERT_EQ(list.size(), l.sections.size());
  EXPECT_STREQ(list[0].name, "strings");
  EXPECT_EQ(list[0].size, l.sections[format::kStrings].size());
  EXPECT_TRUE(VerifySectionChecksums(f, "t").ok());
}

TEST(SectionDirectoryTest, UnknownSectionIsSkippedButChecksummed) {
  Layout l = Required();
  l.sections[format::kLastSectionId + 7] = "future";
  std::string f = Encode(l);
  absl::StatusOr<SectionDirectory> d = ReadSectionDirectory(f, "t", true);
  ASSERT_TRUE(d.ok()) << d.status();
  // Its CRC is not checked at open (it is not read), but by a full verify.
  f[bytes::Load64(&f[EntryOf(f, format::kLastSectionId + 7) + 8])] ^= 1;
  EXPECT_TRUE(ReadSectionDirectory(f, "t", true).ok());
  const absl::Status s = VerifySectionChecksums(f, "t");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(s.message(), "section unknown checksum"))
      << s;
}

TEST(SectionDirectoryTest, HeaderErrorsNameWhatIsWrong) {
  const std::string good = Encode(Required());
  EXPECT_EQ(Error(good.substr(0, 10)).message(),
            "t.ksym: truncated index: 10 bytes, the header alone is 64");
  std::string f = good;
  f[0] = 'X';
  EXPECT_TRUE(absl::StartsWith(Error(f).message(),
                               "t.ksym: not a ksym index (bad magic 0x"));
  f = good;
  bytes::Store<uint32_t>(&f[8], format::kFormatVersion + 1);
  EXPECT_EQ(Error(f).code(), absl::StatusCode::kFailedPrecondition);
  f = good;
  EXPECT_TRUE(absl::StrContains(Error(f + "x").message(), "trailing bytes"));
  f = good;
  f[44] = 1;  // reserved header byte, covered by the header CRC
  EXPECT_TRUE(
      absl::StrContains(Error(f).message(), "header checksum mismatch"));
  f = good;
  bytes::Store<uint32_t>(&f[28], 2);
  FixHeaderCrc(f);
  EXPECT_EQ(Error(f).message(), "t.ksym: unknown header flags 0x2");
  f = good;
  bytes::Store<uint64_t>(&f[32], 0xffffffffull);
  FixHeaderCrc(f);
  EXPECT_EQ(Error(f).message(), "t.ksym: symbol count 4294967295 too large");
  f = good;
  bytes::Store<uint32_t>(&f[24], format::kMaxSections + 1);
  EXPECT_EQ(Error(f).message(), "t.ksym: section count 65 exceeds 64");
}

TEST(SectionDirectoryTest, DirectoryErrorsNameTheSection) {
  const std::string good = Encode(Required());
  std::string f = good;
  size_t e = EntryOf(f, format::kObjects);
  bytes::Store<uint64_t>(&f[e + 8], bytes::Load64(&f[e + 8]) + 4);
  FixHeaderCrc(f);
  EXPECT_TRUE(absl::StrContains(Error(f).message(),
                                "section objects (id 10) at offset"));
  f = good;
  bytes::Store<uint64_t>(&f[e + 16], f.size());
  FixHeaderCrc(f);
  EXPECT_TRUE(absl::StrContains(Error(f).message(), "lies outside the file"));
  f = good;
  bytes::Store<uint32_t>(&f[EntryOf(f, format::kObjects)], format::kAttribution);
  FixHeaderCrc(f);
  EXPECT_EQ(Error(f).message(), "t.ksym: section attribution appears twice");
  Layout l = Required();
  l.sections.erase(format::kNameHash);
  EXPECT_EQ(Error(Encode(l)).message(), "t.ksym: missing section name_hash");
}

TEST(SectionDirectoryTest, SectionChecksumUnlessTurnedOff) {
  std::string f = Encode(Required());
  f[bytes::Load64(&f[EntryOf(f, format::kNameData) + 8])] ^= 0x40;
  const absl::Status s = Error(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StartsWith(
      s.message(), "t.ksym: section name_data checksum mismatch (stored 0x"))
      << s;
  EXPECT_TRUE(Error(f, /*verify=*/false).ok());
  EXPECT_FALSE(VerifySectionChecksums(f, "t").ok());
}

TEST(SectionDirectoryTest, EveryTruncationIsRefused) {
  const std::string good = Encode(Required());
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_EQ(Error(good.substr(0, len)).code(), absl::StatusCode::kDataLoss)
        << len;
  }
}

}  // namespace
}  // namespace ksym
