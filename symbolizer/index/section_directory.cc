#include "symbolizer/index/section_directory.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {

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
    case kLines: return "lines";
    case kModules: return "modules";
    case kModuleAliasFirst: return "module_alias_first";
    case kAddressLocate: return "address_locate";
    case kDataAnnotations: return "data_annotations";
    case kModuleLines: return "module_lines";
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
  const uint64_t size = data.size();
  const absl::StatusOr<format::FileHeader> header =
      format::FileHeader::Decode(data);
  if (!header.ok()) return loss(header.status().message());
  const uint32_t version = header->version;
  if (version > format::kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": index format version ", version,
        " is newer than this ksym reads (", format::kFormatVersion,
        "); upgrade ksym or rebuild the index"));
  }
  if (version == 0) return loss("bad format version 0");
  if (header->header_size != format::kHeaderSize) {
    return loss("bad header size ", header->header_size, ", expected ",
                format::kHeaderSize);
  }
  if (header->file_size != size) {
    return loss(header->file_size > size ? "truncated index: "
                                         : "trailing bytes: ",
                "header says ", header->file_size, " bytes, file has ", size);
  }
  if (header->section_count > format::kMaxSections) {
    return loss("section count ", header->section_count, " exceeds ",
                format::kMaxSections);
  }
  const uint64_t dir_end = format::SectionEntryOffset(header->section_count);
  if (dir_end > size) return loss("section directory runs past end of file");
  {
    const uint32_t want = header->header_crc;
    const uint32_t got = format::HeaderCrc(data.substr(0, dir_end));
    if (want != got) {
      return loss("header checksum mismatch (stored 0x", absl::Hex(want),
                  ", computed 0x", absl::Hex(got), ")");
    }
  }
  if (header->flags & ~format::kFlagRuntimeAddresses) {
    return loss("unknown header flags 0x", absl::Hex(header->flags));
  }
  for (size_t k = 0; k < header->reserved.size(); ++k) {
    if (header->reserved[k] != 0) {
      return loss("reserved header byte ",
                  format::kHeaderSize - header->reserved.size() + k,
                  " is 0x", absl::Hex(header->reserved[k]), ", not zero");
    }
  }
  d.flags = header->flags;
  d.symbol_count = header->symbol_count;
  if (d.symbol_count >= 0xffffffffull) {
    return loss("symbol count ", d.symbol_count, " too large");
  }

  for (uint32_t i = 0; i < header->section_count; ++i) {
    absl::StatusOr<format::SectionEntry> e = format::SectionEntry::Decode(
        data.substr(format::SectionEntryOffset(i)));
    if (!e.ok()) return loss(e.status().message());  // within dir_end
    const uint32_t id = e->id;
    const uint64_t off = e->offset, len = e->size;
    if (off % format::kSectionAlignment != 0 || off < dir_end || off > size ||
        len > size - off) {
      return loss("section ", format::SectionName(id), " (id ", id,
                  ") at offset ", off, " size ", len,
                  " lies outside the file (", size, " bytes)");
    }
    // Id 0 is no section and never written: a directory naming it is
    // damage, not a newer section to skip (it would hide an optional one).
    if (id == 0) {
      return loss("section directory entry ", i,
                  " has id 0, which is no section");
    }
    if (id > format::kLastSectionId) continue;  // unknown: skip
    if (present[id]) {
      return loss("section ", format::SectionName(id), " appears twice");
    }
    present[id] = true;
    sec[id] = data.substr(off, len);
    if (verify_checksums) {
      const uint32_t want = e->crc, got = format::SectionCrc(sec[id]);
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

namespace {

// The directory of `data`, which passed ReadSectionDirectory.
std::vector<format::SectionEntry> Entries(absl::string_view data) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(data);
  return head.ok() ? std::move(head->sections)
                   : std::vector<format::SectionEntry>();
}

}  // namespace

absl::Status VerifySectionChecksums(absl::string_view data,
                                    absl::string_view label) {
  for (const format::SectionEntry& e : Entries(data)) {
    const uint32_t got = format::SectionCrc(data.substr(e.offset, e.size));
    if (e.crc != got) {
      return absl::DataLossError(absl::StrCat(
          label, ": section ", format::SectionName(e.id),
          " checksum mismatch (stored 0x", absl::Hex(e.crc), ", computed 0x",
          absl::Hex(got), ")"));
    }
  }
  return absl::OkStatus();
}

std::vector<SectionInfo> ListSections(absl::string_view data) {
  std::vector<SectionInfo> out;
  for (const format::SectionEntry& e : Entries(data)) {
    out.push_back({e.id, format::SectionName(e.id), e.offset, e.size});
  }
  return out;
}

}  // namespace ksym
