#include "symbolizer/index/file_header.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/index/bytes.h"

namespace ksym {
namespace format {
namespace {

// Byte offsets of the header fields (format.h, "Header").
constexpr size_t kMagicAt = 0;
constexpr size_t kVersionAt = 8;
constexpr size_t kHeaderSizeAt = 12;
constexpr size_t kFileSizeAt = 16;
constexpr size_t kSectionCountAt = 24;
constexpr size_t kFlagsAt = 28;
constexpr size_t kSymbolCountAt = 32;
constexpr size_t kHeaderCrcAt = 40;
constexpr size_t kReservedAt = 44;
static_assert(kReservedAt + sizeof(FileHeader::reserved) == kHeaderSize,
              "the header fields fill kHeaderSize bytes");

// Byte offsets of the directory entry fields (format.h, "SectionEntry").
constexpr size_t kIdAt = 0;
constexpr size_t kCrcAt = 4;
constexpr size_t kOffsetAt = 8;
constexpr size_t kSizeAt = 16;
static_assert(kSizeAt + 8 == kSectionEntrySize,
              "the entry fields fill kSectionEntrySize bytes");

uLong CrcUpdate(uLong crc, absl::string_view s) {
  // zlib's crc32 takes a uInt length; feed it in chunks.
  while (!s.empty()) {
    const size_t n = std::min<size_t>(s.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(s.data()),
                static_cast<uInt>(n));
    s.remove_prefix(n);
  }
  return crc;
}

}  // namespace

std::string FileHeader::Encode() const {
  std::string h(kHeaderSize, '\0');
  std::memcpy(&h[kMagicAt], kMagic, sizeof(kMagic));
  bytes::Store<uint32_t>(&h[kVersionAt], version);
  bytes::Store<uint32_t>(&h[kHeaderSizeAt], header_size);
  bytes::Store<uint64_t>(&h[kFileSizeAt], file_size);
  bytes::Store<uint32_t>(&h[kSectionCountAt], section_count);
  bytes::Store<uint32_t>(&h[kFlagsAt], flags);
  bytes::Store<uint64_t>(&h[kSymbolCountAt], symbol_count);
  bytes::Store<uint32_t>(&h[kHeaderCrcAt], header_crc);
  std::memcpy(&h[kReservedAt], reserved.data(), reserved.size());
  return h;
}

absl::StatusOr<FileHeader> FileHeader::Decode(absl::string_view file) {
  if (file.size() < kHeaderSize) {
    return absl::DataLossError(absl::StrCat("truncated index: ", file.size(),
                                            " bytes, the header alone is ",
                                            kHeaderSize));
  }
  const char* p = file.data();
  if (std::memcmp(p + kMagicAt, kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError(
        absl::StrCat("not a ksym index (bad magic 0x",
                     absl::Hex(bytes::Load64(p + kMagicAt), absl::kZeroPad16),
                     ")"));
  }
  FileHeader h;
  h.version = bytes::Load32(p + kVersionAt);
  h.header_size = bytes::Load32(p + kHeaderSizeAt);
  h.file_size = bytes::Load64(p + kFileSizeAt);
  h.section_count = bytes::Load32(p + kSectionCountAt);
  h.flags = bytes::Load32(p + kFlagsAt);
  h.symbol_count = bytes::Load64(p + kSymbolCountAt);
  h.header_crc = bytes::Load32(p + kHeaderCrcAt);
  std::memcpy(h.reserved.data(), p + kReservedAt, h.reserved.size());
  return h;
}

std::string SectionEntry::Encode() const {
  std::string e(kSectionEntrySize, '\0');
  bytes::Store<uint32_t>(&e[kIdAt], id);
  bytes::Store<uint32_t>(&e[kCrcAt], crc);
  bytes::Store<uint64_t>(&e[kOffsetAt], offset);
  bytes::Store<uint64_t>(&e[kSizeAt], size);
  return e;
}

absl::StatusOr<SectionEntry> SectionEntry::Decode(absl::string_view bytes) {
  if (bytes.size() < kSectionEntrySize) {
    return absl::DataLossError(absl::StrCat("section directory entry of ",
                                            bytes.size(), " bytes, expected ",
                                            kSectionEntrySize));
  }
  const char* p = bytes.data();
  return SectionEntry{bytes::Load32(p + kIdAt), bytes::Load32(p + kCrcAt),
                      bytes::Load64(p + kOffsetAt),
                      bytes::Load64(p + kSizeAt)};
}

uint32_t SectionCrc(absl::string_view s) {
  return static_cast<uint32_t>(CrcUpdate(crc32(0, nullptr, 0), s));
}

uint32_t HeaderCrc(absl::string_view head) {
  static constexpr char kZeroCrc[4] = {};
  uLong crc = CrcUpdate(crc32(0, nullptr, 0), head.substr(0, kHeaderCrcAt));
  if (head.size() > kHeaderCrcAt) {
    crc = CrcUpdate(crc, absl::string_view(kZeroCrc, std::min<size_t>(
                                                         4, head.size() -
                                                                kHeaderCrcAt)));
  }
  if (head.size() > kHeaderCrcAt + 4) {
    crc = CrcUpdate(crc, head.substr(kHeaderCrcAt + 4));
  }
  return static_cast<uint32_t>(crc);
}

SectionEntry* FileHead::Find(uint32_t id) {
  for (SectionEntry& e : sections) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

const SectionEntry* FileHead::Find(uint32_t id) const {
  return const_cast<FileHead*>(this)->Find(id);
}

std::string FileHead::Encode() const {
  FileHeader h = header;
  h.section_count = static_cast<uint32_t>(sections.size());
  h.header_crc = 0;
  std::string out = h.Encode();
  for (const SectionEntry& e : sections) out += e.Encode();
  h.header_crc = HeaderCrc(out);
  out.replace(0, kHeaderSize, h.Encode());
  return out;
}

void FileHead::EncodeOver(std::string* file) const {
  const std::string head = Encode();
  file->replace(0, head.size(), head);
}

absl::StatusOr<FileHead> FileHead::Decode(absl::string_view file) {
  absl::StatusOr<FileHeader> header = FileHeader::Decode(file);
  if (!header.ok()) return header.status();
  FileHead head;
  head.header = *header;
  if (SectionEntryOffset(header->section_count) > file.size()) {
    return absl::DataLossError("section directory runs past end of file");
  }
  head.sections.reserve(header->section_count);
  for (uint32_t i = 0; i < header->section_count; ++i) {
    absl::StatusOr<SectionEntry> e =
        SectionEntry::Decode(file.substr(SectionEntryOffset(i)));
    if (!e.ok()) return e.status();
    head.sections.push_back(*e);
  }
  return head;
}

bool UpdateHeaderCrc(std::string* file) {
  absl::StatusOr<FileHead> head = FileHead::Decode(*file);
  if (!head.ok()) return false;
  head->EncodeOver(file);
  return true;
}

}  // namespace format
}  // namespace ksym
