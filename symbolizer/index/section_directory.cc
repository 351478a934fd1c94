#include "symbolizer/index/section_directory.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/index/bytes.h"

namespace ksym {

uint32_t SectionCrc(absl::string_view s) {
  // zlib's crc32 takes a uInt length; feed it in chunks.
  uLong crc = crc32(0, nullptr, 0);
  while (!s.empty()) {
    const size_t n = std::min<size_t>(s.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(s.data()),
                static_cast<uInt>(n));
    s.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

const char* format::SectionName(uint32_t id) {
  switch (id) {
    case kStrings: return "strings";
    case kIdentity: return "identity";
    case kSegments: return "segments";
    case kAddressOffsets: return "address_offsets";
    case kSizes: return "sizes";
    case kNameTable: return "name_table";
    case kNameData: return "name_data";
    case kNameBlocks: return "name_blocks";
    case kModuleSets: return "module_sets";
    case kObjects: return "objects";
    case kAttribution: return "attribution";
    case kOverlaps: return "overlaps";
    case kNameHash: return "name_hash";
    case kSources: return "sources";
    case kModuleRules: return "module_rules";
  }
  return "unknown";
}

absl::StatusOr<SectionDirectory> ReadSectionDirectory(absl::string_view data,
                                                      absl::string_view label,
                                                      bool verify_checksums) {
  auto loss = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat(label, ": ", parts...));
  };
  SectionDirectory d;
  absl::string_view* sec = d.section;
  bool* present = d.present;
  const char* base = data.data();
  const uint64_t size = data.size();
  if (size < format::kHeaderSize) {
    return loss("truncated index: ", size, " bytes, the header alone is ",
                format::kHeaderSize);
  }
  if (std::memcmp(base, format::kMagic, sizeof(format::kMagic)) != 0) {
    return loss("not a ksym index (bad magic 0x",
                absl::Hex(bytes::Load64(base), absl::kZeroPad16), ")");
  }
  const uint32_t version = bytes::Load32(base + 8);
  if (version > format::kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": index format version ", version,
        " is newer than this ksym reads (", format::kFormatVersion,
        "); upgrade ksym or rebuild the index"));
  }
  if (version == 0) return loss("bad format version 0");
  if (bytes::Load32(base + 12) != format::kHeaderSize) {
    return loss("bad header size ", bytes::Load32(base + 12), ", expected ",
                format::kHeaderSize);
  }
  const uint64_t file_size = bytes::Load64(base + 16);
  if (file_size != size) {
    return loss(file_size > size ? "truncated index: " : "trailing bytes: ",
                "header says ", file_size, " bytes, file has ", size);
  }
  const uint32_t section_count = bytes::Load32(base + 24);
  if (section_count > format::kMaxSections) {
    return loss("section count ", section_count, " exceeds ",
                format::kMaxSections);
  }
  const uint64_t dir_end =
      format::kHeaderSize + uint64_t{format::kSectionEntrySize} * section_count;
  if (dir_end > size) return loss("section directory runs past end of file");
  {
    std::string head(base, dir_end);
    std::memset(&head[40], 0, 4);
    const uint32_t want = bytes::Load32(base + 40);
    const uint32_t got = SectionCrc(head);
    if (want != got) {
      return loss("header checksum mismatch (stored 0x", absl::Hex(want),
                  ", computed 0x", absl::Hex(got), ")");
    }
  }
  const uint32_t flags = bytes::Load32(base + 28);
  if (flags & ~format::kFlagRuntimeAddresses) {
    return loss("unknown header flags 0x", absl::Hex(flags));
  }
  d.flags = flags;
  d.symbol_count = bytes::Load64(base + 32);
  if (d.symbol_count >= 0xffffffffull) {
    return loss("symbol count ", d.symbol_count, " too large");
  }

  for (uint32_t i = 0; i < section_count; ++i) {
    const char* e = base + format::kHeaderSize + format::kSectionEntrySize * i;
    const uint32_t id = bytes::Load32(e);
    const uint64_t off = bytes::Load64(e + 8), len = bytes::Load64(e + 16);
    if (off % format::kSectionAlignment != 0 || off < dir_end || off > size ||
        len > size - off) {
      return loss("section ", format::SectionName(id), " (id ", id,
                  ") at offset ", off, " size ", len,
                  " lies outside the file (", size, " bytes)");
    }
    if (id == 0 || id > format::kLastSectionId) continue;  // unknown: skip
    if (present[id]) {
      return loss("section ", format::SectionName(id), " appears twice");
    }
    present[id] = true;
    sec[id] = data.substr(off, len);
    if (verify_checksums) {
      const uint32_t want = bytes::Load32(e + 4), got = SectionCrc(sec[id]);
      if (want != got) {
        return loss("section ", format::SectionName(id),
                    " checksum mismatch (stored 0x", absl::Hex(want),
                    ", computed 0x", absl::Hex(got), ")");
      }
    }
  }
  for (uint32_t id : {format::kStrings, format::kIdentity, format::kSegments,
                      format::kAddressOffsets, format::kNameTable,
                      format::kNameData, format::kNameBlocks,
                      format::kModuleSets, format::kObjects,
                      format::kAttribution, format::kOverlaps,
                      format::kNameHash}) {
    if (!present[id]) {
      return loss("missing section ", format::SectionName(id));
    }
  }
  return d;
}

absl::Status VerifySectionChecksums(absl::string_view data,
                                    absl::string_view label) {
  const char* base = data.data();
  const uint32_t section_count = bytes::Load32(base + 24);
  for (uint32_t i = 0; i < section_count; ++i) {
    const char* e = base + format::kHeaderSize + format::kSectionEntrySize * i;
    const uint32_t id = bytes::Load32(e);
    const uint32_t want = bytes::Load32(e + 4);
    const uint32_t got =
        SectionCrc(data.substr(bytes::Load64(e + 8), bytes::Load64(e + 16)));
    if (want != got) {
      return absl::DataLossError(absl::StrCat(
          label, ": section ", format::SectionName(id),
          " checksum mismatch (stored 0x", absl::Hex(want), ", computed 0x",
          absl::Hex(got), ")"));
    }
  }
  return absl::OkStatus();
}

std::vector<SectionInfo> ListSections(absl::string_view data) {
  std::vector<SectionInfo> out;
  const char* base = data.data();
  const uint32_t section_count = bytes::Load32(base + 24);
  for (uint32_t i = 0; i < section_count; ++i) {
    const char* e = base + format::kHeaderSize + format::kSectionEntrySize * i;
    const uint32_t id = bytes::Load32(e);
    out.push_back({id, format::SectionName(id), bytes::Load64(e + 8),
                   bytes::Load64(e + 16)});
  }
  return out;
}

}  // namespace ksym
