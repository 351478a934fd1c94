#include "symbolizer/index/string_table.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/index/format.h"

namespace ksym {

StringTableBuilder::StringTableBuilder() {
  bytes::Append16(&blob_, 0);  // ref 0: the empty string
  refs_.emplace("", 0);
}

absl::StatusOr<uint32_t> StringTableBuilder::Add(absl::string_view s,
                                                 absl::string_view what) {
  auto it = refs_.find(s);
  if (it != refs_.end()) return it->second;
  if (s.size() > std::numeric_limits<uint16_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " \"", absl::CHexEscape(s.substr(0, 40)), "...\" of ", s.size(),
        " bytes is too long for the index (at most 65535)"));
  }
  const uint32_t ref = static_cast<uint32_t>(blob_.size());
  bytes::Append16(&blob_, static_cast<uint16_t>(s.size()));
  blob_.append(s.data(), s.size());
  refs_.emplace(std::string(s), ref);
  return ref;
}

absl::StatusOr<StringsSection> StringsSection::Decode(
    const SectionDirectory& dir) {
  StringsSection s;
  s.bytes_ = dir.section[format::kStrings];
  if (s.bytes_.size() < 2 || bytes::Load16(s.bytes_.data()) != 0) {
    return absl::DataLossError(
        "section strings does not start with the empty string");
  }
  return s;
}

}  // namespace ksym
