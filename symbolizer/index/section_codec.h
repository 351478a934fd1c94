// What every section codec of the index (format.h) is made of; the table
// in section_table.h lists them. A section is a class with
//
//   // Adds its section(s) to `out`, strings to `strings`.
//   static absl::Status Encode(const Catalog& catalog,
//                              StringTableBuilder& strings,
//                              EncodedSections* out);
//   // Checks its section(s) of an opened file against their size and
//   // counts and returns a bounds-checked view of them (DataLoss "section
//   // NAME ..."; the reader puts the file's label in front).
//   static absl::StatusOr<ThisSection> Decode(const SectionDirectory& dir);
//
// and accessors that read the mapped bytes without copying.
#ifndef KSYM_SYMBOLIZER_INDEX_SECTION_CODEC_H_
#define KSYM_SYMBOLIZER_INDEX_SECTION_CODEC_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "symbolizer/index/bytes.h"
#include "symbolizer/index/format.h"
#include "symbolizer/index/section_directory.h"

namespace ksym {

// Sections an encoder made, (id, bytes); the writer orders and lays them
// out.
using EncodedSections = std::vector<std::pair<uint32_t, std::string>>;

// DataLoss "section NAME <parts>".
template <typename... Parts>
absl::Status SectionError(uint32_t id, const Parts&... parts) {
  return absl::DataLossError(
      absl::StrCat("section ", format::SectionName(id), " ", parts...));
}

// Writes the header of a counted table: u32 count, u32 reserved (0).
inline void AppendCountedHeader(std::string* out, uint32_t count) {
  bytes::Append32(out, count);
  bytes::Append32(out, 0);
}

// A counted table as format.h lays several out: u32 count, u32 reserved,
// then count entries of `entry_size` bytes each.
struct CountedTable {
  const char* entries = nullptr;
  uint64_t count = 0;
  // Bytes after the entries (only when not `exact`).
  absl::string_view rest;
};

// `exact`: the entries end the section; else more may follow (in `rest`).
absl::StatusOr<CountedTable> DecodeCountedTable(uint32_t id,
                                                absl::string_view section,
                                                uint64_t entry_size,
                                                bool exact);

// A per-symbol section of `want` bytes for `symbol_count` symbols.
absl::Status CheckPerSymbolSize(uint32_t id, absl::string_view section,
                                uint64_t want, uint64_t symbol_count);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_SECTION_CODEC_H_
