// kNameTable, kNameData and kNameBlocks (format.h): every symbol's type
// letter and name, compressed by the name codec (name_codec.h), one record
// per symbol in symbol order, with the offset of every kNameBlockSize-th
// record.
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_SECTION_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/name_table.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class NameSection {
 public:
  // Symbol i's type letter and encoded name; false when the record is not
  // inside the section (a damaged file) or i >= the symbol count.
  bool Record(uint32_t i, char* type, absl::string_view* encoded) const;
  const NameDecoder& decoder() const { return *decoder_; }

  // InvalidArgument for a name that encodes past what a record holds.
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<NameSection> Decode(const SectionDirectory& dir);

 private:
  std::optional<NameDecoder> decoder_;  // set by Decode
  absl::string_view data_;
  const char* blocks_ = nullptr;
  uint64_t symbol_count_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_SECTION_H_
