// kStrings (format.h): the pool of `u16 length, bytes` records that the
// other sections refer to by "string ref" (the record's offset). It is no
// row of the section table: every encoder adds to it, so the writer emits
// it after them all, and the reader opens it before them.
//
//   StringTableBuilder strings;
//   absl::StatusOr<uint32_t> ref = strings.Add("ext4", "module name");
//   ...
//   absl::StatusOr<StringsSection> s = StringsSection::Decode(dir);
//   s->At(*ref) == "ext4"
#ifndef KSYM_SYMBOLIZER_INDEX_STRING_TABLE_H_
#define KSYM_SYMBOLIZER_INDEX_STRING_TABLE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/index/bytes.h"
#include "symbolizer/index/section_directory.h"

namespace ksym {

// Deduplicating blob of `u16 length, bytes` records; ref 0 is "".
class StringTableBuilder {
 public:
  StringTableBuilder();

  // The ref of `s`, added when new. `what` names the string in an error
  // ("object path", "module name"): the sources check their own limits
  // with file:line, so this fires only for a catalog made some other way.
  absl::StatusOr<uint32_t> Add(absl::string_view s, absl::string_view what);

  // The kStrings section.
  const std::string& blob() const { return blob_; }

 private:
  std::string blob_;
  absl::flat_hash_map<std::string, uint32_t> refs_;
};

class StringsSection {
 public:
  StringsSection() = default;
  // DataLoss unless the section starts with the empty string (ref 0).
  static absl::StatusOr<StringsSection> Decode(const SectionDirectory& dir);

  // The string at `ref`; "" when the record is not inside the section.
  absl::string_view At(uint32_t ref) const {
    if (uint64_t{ref} + 2 > bytes_.size()) return {};
    const uint16_t len = bytes::Load16(bytes_.data() + ref);
    if (uint64_t{ref} + 2 + len > bytes_.size()) return {};
    return bytes_.substr(ref + 2, len);
  }
  absl::string_view bytes() const { return bytes_; }

 private:
  absl::string_view bytes_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_STRING_TABLE_H_
