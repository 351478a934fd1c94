// The first job of opening a .ksym index (format.h): check the 64-byte
// header and the section directory (decoded by file_header.h), and cut the
// file into its sections.
// Takes bytes; knows nothing of what a section holds (reader.cc sizes and
// interprets them).
//
//   absl::StatusOr<SectionDirectory> d =
//       ReadSectionDirectory(bytes, "vmlinux.ksym", /*verify_checksums=*/true);
//   absl::string_view strings = d->section[format::kStrings];
//
// Errors are DataLoss "label: what" (FailedPrecondition for a newer format
// version), in the order the checks run: size, magic, version, header size,
// file size, section count, directory bounds, header CRC, flags, symbol
// count, then each directory entry (bounds, duplicate, CRC), then missing
// required sections.
#ifndef KSYM_SYMBOLIZER_INDEX_SECTION_DIRECTORY_H_
#define KSYM_SYMBOLIZER_INDEX_SECTION_DIRECTORY_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/format.h"

namespace ksym {

struct SectionInfo {
  uint32_t id;
  const char* name;
  uint64_t offset;
  uint64_t size;
};

struct SectionDirectory {
  uint32_t flags = 0;  // header flags (only known bits)
  uint64_t symbol_count = 0;
  // Views into the caller's bytes, by section id; empty when absent.
  absl::string_view section[format::kLastSectionId + 1];
  bool present[format::kLastSectionId + 1] = {};
};

// Validates header and directory and, with `verify_checksums`, every known
// section's CRC-32. Unknown section ids are bounds-checked and skipped.
absl::StatusOr<SectionDirectory> ReadSectionDirectory(absl::string_view data,
                                                      absl::string_view label,
                                                      bool verify_checksums);

// CRC-32 of every directory entry, known or not (DataLoss naming the first
// bad one). `data` must have passed ReadSectionDirectory.
absl::Status VerifySectionChecksums(absl::string_view data,
                                    absl::string_view label);

// The directory as listed in the file. `data` must have passed
// ReadSectionDirectory.
std::vector<SectionInfo> ListSections(absl::string_view data);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_SECTION_DIRECTORY_H_
