// The header and directory codec against the byte layout format.h states.
#include "symbolizer/index/file_header.h"

#include <zlib.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "symbolizer/index/format.h"

namespace ksym {
namespace format {
namespace {

FileHeader SampleHeader() {
  FileHeader h;
  h.version = 2;
  h.header_size = 64;
  h.file_size = 0x0102030405060708;
  h.section_count = 3;
  h.flags = kFlagRuntimeAddresses;
  h.symbol_count = 0x1122334455;
  h.header_crc = 0xdeadbeef;
  return h;
}

// format.h's table, written out byte by byte: the codec's offsets and
// widths are checked against it, not against themselves.
TEST(FileHeaderTest, EncodesTheDocumentedLayout) {
  const std::string want = absl::HexStringToBytes(
      "4b53594d49445800"   // 0   magic "KSYMIDX\0"
      "02000000"           // 8   version
      "40000000"           // 12  header_size
      "0807060504030201"   // 16  file_size
      "03000000"           // 24  section_count
      "01000000"           // 28  flags
      "5544332211000000"   // 32  symbol_count
      "efbeadde"           // 40  header_crc
      "0000000000000000000000000000000000000000");  // 44 reserved
  ASSERT_EQ(want.size(), kHeaderSize);
  EXPECT_EQ(absl::BytesToHexString(SampleHeader().Encode()),
            absl::BytesToHexString(want));
}

TEST(FileHeaderTest, DecodeRoundTripsEveryField) {
  FileHeader h = SampleHeader();
  h.reserved[19] = 7;  // kept, so that encoding gives the same bytes back
  const std::string bytes = h.Encode() + "trailing section bytes";
  absl::StatusOr<FileHeader> d = FileHeader::Decode(bytes);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->version, h.version);
  EXPECT_EQ(d->header_size, h.header_size);
  EXPECT_EQ(d->file_size, h.file_size);
  EXPECT_EQ(d->section_count, h.section_count);
  EXPECT_EQ(d->flags, h.flags);
  EXPECT_EQ(d->symbol_count, h.symbol_count);
  EXPECT_EQ(d->header_crc, h.header_crc);
  EXPECT_EQ(d->reserved, h.reserved);
  EXPECT_EQ(d->Encode(), h.Encode());
}

TEST(FileHeaderTest, DecodeRefusesShortInputAndBadMagic) {
  const std::string good = SampleHeader().Encode();
  absl::StatusOr<FileHeader> d = FileHeader::Decode(good.substr(0, 63));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(d.status().message(),
            "truncated index: 63 bytes, the header alone is 64");
  std::string bad = good;
  bad[1] = 'Z';
  d = FileHeader::Decode(bad);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(d.status().message(),
            "not a ksym index (bad magic 0x005844494d595a4b)");
}

TEST(SectionEntryTest, EncodesTheDocumentedLayoutAndDecodesBack) {
  const SectionEntry e{kNameData, 0xa1b2c3d4, 0x1000, 0x20304};
  const std::string want = absl::HexStringToBytes(
      "07000000"            // 0   id
      "d4c3b2a1"            // 4   crc
      "0010000000000000"    // 8   offset
      "0403020000000000");  // 16  size
  EXPECT_EQ(absl::BytesToHexString(e.Encode()), absl::BytesToHexString(want));
  absl::StatusOr<SectionEntry> d = SectionEntry::Decode(want);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->id, e.id);
  EXPECT_EQ(d->crc, e.crc);
  EXPECT_EQ(d->offset, e.offset);
  EXPECT_EQ(d->size, e.size);
  EXPECT_EQ(SectionEntry::Decode(want.substr(0, 23)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(SectionEntryOffset(0), kHeaderSize);
  EXPECT_EQ(SectionEntryOffset(2), kHeaderSize + 2 * kSectionEntrySize);
}

uint32_t ZlibCrc(const std::string& s) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data()), s.size()));
}

TEST(HeaderCrcTest, IsTheCrcOfHeaderAndDirectoryWithTheFieldZeroed) {
  FileHead head;
  head.header = SampleHeader();
  head.sections.push_back({kStrings, 1, 128, 8});
  head.sections.push_back({kIdentity, 2, 136, 32});
  const std::string bytes = head.Encode();
  ASSERT_EQ(bytes.size(), SectionEntryOffset(2));
  FileHeader zeroed = *FileHeader::Decode(bytes);
  EXPECT_EQ(zeroed.section_count, 2u);  // set from the entries
  const uint32_t stored = zeroed.header_crc;
  zeroed.header_crc = 0;
  const std::string with_zero =
      zeroed.Encode() + bytes.substr(kHeaderSize);
  EXPECT_EQ(stored, ZlibCrc(with_zero));
  EXPECT_EQ(HeaderCrc(bytes), stored);
  EXPECT_EQ(HeaderCrc(with_zero), stored);  // the field itself is not read
  EXPECT_EQ(SectionCrc("abc"), ZlibCrc("abc"));
}

TEST(FileHeadTest, DecodeReadsTheDirectoryBack) {
  FileHead head;
  head.header = SampleHeader();
  head.sections.push_back({kStrings, 1, 128, 8});
  head.sections.push_back({kNameHash, 2, 136, 32});
  std::string file = head.Encode() + std::string(64, 'x');
  absl::StatusOr<FileHead> d = FileHead::Decode(file);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->sections.size(), 2u);
  EXPECT_EQ(d->Find(kNameHash)->size, 32u);
  EXPECT_EQ(d->Find(kSizes), nullptr);
  EXPECT_EQ(d->Encode(), file.substr(0, SectionEntryOffset(2)));
  // The directory runs past the end of the file.
  EXPECT_EQ(FileHead::Decode(file.substr(0, SectionEntryOffset(2) - 1))
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(FileHeadTest, UpdateHeaderCrcAfterAPatch) {
  FileHead head;
  head.header = SampleHeader();
  head.sections.push_back({kStrings, 1, 128, 8});
  std::string file = head.Encode() + std::string(16, 'x');
  const std::string original = file;
  file[SectionEntryOffset(0) + 20] = 1;  // the high bytes of the size
  EXPECT_NE(HeaderCrc(file.substr(0, SectionEntryOffset(1))),
            FileHeader::Decode(file)->header_crc);
  ASSERT_TRUE(UpdateHeaderCrc(&file));
  EXPECT_EQ(HeaderCrc(file.substr(0, SectionEntryOffset(1))),
            FileHeader::Decode(file)->header_crc);
  EXPECT_EQ(FileHead::Decode(file)->Find(kStrings)->size, 8 + (1ull << 32));
  // Everything but the patch and the checksum is as it was.
  EXPECT_EQ(file.substr(SectionEntryOffset(1)),
            original.substr(SectionEntryOffset(1)));
  std::string garbage(100, 'g');
  EXPECT_FALSE(UpdateHeaderCrc(&garbage));
  EXPECT_EQ(garbage, std::string(100, 'g'));
}

}  // namespace
}  // namespace format
}  // namespace ksym
