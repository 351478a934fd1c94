// The .ksym file header and section directory as code (format.h describes
// the bytes): the only place that knows where a header field lies.
//
//   FileHead head;
//   head.header.section_count = 2; ...
//   head.sections.push_back({format::kStrings, crc, offset, size});
//   std::string bytes = head.Encode();  // header + directory, CRC filled in
//
//   absl::StatusOr<FileHead> h = FileHead::Decode(file);  // no checks of
//   h->Find(format::kNameData)->size -= 4;                // the values:
//   h->EncodeOver(&file);                                 // tests patch
//   format::UpdateHeaderCrc(&file);  // after patching the bytes directly
//
// Decoding checks only that the bytes are there and start with the magic;
// whether the values make a valid index (version, sizes, bounds, checksums)
// is ReadSectionDirectory's job (section_directory.h), in the order its
// errors are documented.
#ifndef KSYM_SYMBOLIZER_INDEX_FILE_HEADER_H_
#define KSYM_SYMBOLIZER_INDEX_FILE_HEADER_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/index/format.h"

namespace ksym {
namespace format {

// The 64 bytes at offset 0 (format.h, "Header").
struct FileHeader {
  uint32_t version = kFormatVersion;
  uint32_t header_size = kHeaderSize;
  uint64_t file_size = 0;
  uint32_t section_count = 0;
  uint32_t flags = 0;  // kFlagRuntimeAddresses
  uint64_t symbol_count = 0;
  uint32_t header_crc = 0;  // HeaderCrc of the header and directory
  // Zero as written; kept so that a decoded header encodes back to the
  // same bytes.
  std::array<uint8_t, 20> reserved = {};

  // kHeaderSize bytes, magic first.
  std::string Encode() const;
  // The first kHeaderSize bytes of `file`. DataLoss "truncated index: ..."
  // when they are not there, "not a ksym index (bad magic 0x...)" when the
  // magic is wrong; the values are not checked.
  static absl::StatusOr<FileHeader> Decode(absl::string_view file);
};

// One kSectionEntrySize-byte directory entry (format.h, "SectionEntry").
struct SectionEntry {
  uint32_t id = 0;
  uint32_t crc = 0;  // SectionCrc of the section's bytes
  uint64_t offset = 0;
  uint64_t size = 0;

  std::string Encode() const;
  // The first kSectionEntrySize bytes of `bytes` (DataLoss when shorter).
  static absl::StatusOr<SectionEntry> Decode(absl::string_view bytes);
};

// Where directory entry `i` starts in the file.
inline uint64_t SectionEntryOffset(uint64_t i) {
  return kHeaderSize + uint64_t{kSectionEntrySize} * i;
}

// CRC-32 (zlib crc32) of any length.
uint32_t SectionCrc(absl::string_view bytes);

// The header_crc of a file whose header and directory are `head` (the
// first SectionEntryOffset(section_count) bytes): CRC-32 of those bytes
// with the header_crc field read as zero.
uint32_t HeaderCrc(absl::string_view head);

// A header with its directory, as the start of a file holds them.
struct FileHead {
  FileHeader header;
  std::vector<SectionEntry> sections;

  // The entry of section `id`, or null.
  SectionEntry* Find(uint32_t id);
  const SectionEntry* Find(uint32_t id) const;

  // Header and directory with header.section_count set to the number of
  // entries and header_crc computed over the result.
  std::string Encode() const;
  // Encode() written over the start of `file` (which must hold it).
  void EncodeOver(std::string* file) const;
  // FileHeader::Decode, then header.section_count entries (DataLoss when
  // the directory runs past the end of `file`).
  static absl::StatusOr<FileHead> Decode(absl::string_view file);
};

// Recomputes the header_crc of `file` after its header or directory was
// patched (tests, fuzzers), so that the check under test is the one that
// fires. False, leaving `file` as it is, when its header and directory do
// not decode (the reader refuses such a file before the checksum).
bool UpdateHeaderCrc(std::string* file);

}  // namespace format
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_FILE_HEADER_H_
