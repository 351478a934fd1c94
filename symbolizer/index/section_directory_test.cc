// Header and section directory checks, on files built byte by byte.
#include "symbolizer/index/section_directory.h"

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/index/file_header.h"
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

std::string Encode(const Layout& l) {
  format::FileHead head;
  head.header.flags = l.flags;
  head.header.symbol_count = l.symbol_count;
  std::string f(format::SectionEntryOffset(l.sections.size()), '\0');
  for (const auto& [id, body] : l.sections) {
    f.resize((f.size() + 7) / 8 * 8, '\0');
    head.sections.push_back({id, format::SectionCrc(body), f.size(),
                             body.size()});
    f += body;
  }
  head.header.file_size = f.size();
  head.EncodeOver(&f);
  return f;
}

// Decodes the header and directory of `f`, lets `patch` change them and
// writes them back with a fresh header checksum.
template <typename Patch>
std::string Patched(std::string f, Patch patch) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  EXPECT_TRUE(head.ok()) << head.status();
  if (!head.ok()) return f;
  patch(*head);
  head->EncodeOver(&f);
  return f;
}

// The same, with the header written as patched (its checksum unchanged).
template <typename Patch>
std::string WithHeader(std::string f, Patch patch) {
  format::FileHeader h = *format::FileHeader::Decode(f);
  patch(h);
  return f.replace(0, format::kHeaderSize, h.Encode());
}

// The offset of the bytes of section `id`.
uint64_t OffsetOf(const std::string& f, uint32_t id) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  const format::SectionEntry* e = head.ok() ? head->Find(id) : nullptr;
  if (e == nullptr) {
    ADD_FAILURE() << "no section " << id;
    return 0;
  }
  return e->offset;
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
  f[OffsetOf(f, format::kLastSectionId + 7)] ^= 1;
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
  f = WithHeader(good, [](format::FileHeader& h) {
    h.version = format::kFormatVersion + 1;
  });
  EXPECT_EQ(Error(f).code(), absl::StatusCode::kFailedPrecondition);
  f = good;
  EXPECT_TRUE(absl::StrContains(Error(f + "x").message(), "trailing bytes"));
  // A reserved header byte, covered by the header CRC.
  f = WithHeader(good, [](format::FileHeader& h) { h.reserved[0] = 1; });
  EXPECT_TRUE(
      absl::StrContains(Error(f).message(), "header checksum mismatch"));
  // The same byte with the checksum recomputed, as a forger would: still
  // refused, the reserved bytes are zero in every version.
  f = Patched(good, [](format::FileHead& h) { h.header.reserved[0] = 1; });
  EXPECT_EQ(Error(f).message(), "t.ksym: reserved header byte 44 is 0x1, not zero");
  f = Patched(good, [](format::FileHead& h) { h.header.reserved[19] = 0x80; });
  EXPECT_EQ(Error(f).message(),
            "t.ksym: reserved header byte 63 is 0x80, not zero");
  f = Patched(good, [](format::FileHead& h) { h.header.flags = 2; });
  EXPECT_EQ(Error(f).message(), "t.ksym: unknown header flags 0x2");
  f = Patched(good, [](format::FileHead& h) {
    h.header.symbol_count = 0xffffffffull;
  });
  EXPECT_EQ(Error(f).message(), "t.ksym: symbol count 4294967295 too large");
  f = WithHeader(good, [](format::FileHeader& h) {
    h.section_count = format::kMaxSections + 1;
  });
  EXPECT_EQ(Error(f).message(), "t.ksym: section count 65 exceeds 64");
}

TEST(SectionDirectoryTest, DirectoryErrorsNameTheSection) {
  const std::string good = Encode(Required());
  std::string f = Patched(good, [](format::FileHead& h) {
    h.Find(format::kObjects)->offset += 4;
  });
  EXPECT_TRUE(absl::StrContains(Error(f).message(),
                                "section objects (id 10) at offset"));
  f = Patched(good, [&](format::FileHead& h) {
    h.Find(format::kObjects)->size = good.size();
  });
  EXPECT_TRUE(absl::StrContains(Error(f).message(), "lies outside the file"));
  f = Patched(good, [](format::FileHead& h) {
    h.Find(format::kObjects)->id = format::kAttribution;
  });
  EXPECT_EQ(Error(f).message(), "t.ksym: section attribution appears twice");
  // An optional section whose id is forged to 0 is refused, not skipped:
  // skipping module_rules would drop every "inferred" mark unsaid.
  Layout with_rules = Required();
  with_rules.sections[format::kModuleRules] = "rules";
  const std::string good_rules = Encode(with_rules);
  ASSERT_TRUE(Error(good_rules).ok());
  f = Patched(good_rules, [](format::FileHead& h) {
    h.Find(format::kModuleRules)->id = 0;
  });
  EXPECT_EQ(Error(f).message(),
            "t.ksym: section directory entry 12 has id 0, which is no section");
  Layout l = Required();
  l.sections.erase(format::kNameHash);
  EXPECT_EQ(Error(Encode(l)).message(), "t.ksym: missing section name_hash");
}

TEST(SectionDirectoryTest, SectionChecksumUnlessTurnedOff) {
  std::string f = Encode(Required());
  f[OffsetOf(f, format::kNameData)] ^= 0x40;
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
