#include "symbolizer/index/sources_section.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ksym {

absl::Status SourcesSection::Encode(const Catalog& catalog,
                                    StringTableBuilder& strings,
                                    EncodedSections* out) {
  if (catalog.sources.empty()) return absl::OkStatus();
  std::string s;
  AppendCountedHeader(&s, static_cast<uint32_t>(catalog.sources.size()));
  for (const InputSource& src : catalog.sources) {
    for (const std::string* v : {&src.what, &src.path, &src.why}) {
      absl::StatusOr<uint32_t> ref =
          strings.Add(*v, absl::StrCat("source record of ", src.what));
      if (!ref.ok()) return ref.status();
      bytes::Append32(&s, *ref);
    }
    bytes::Append32(&s, static_cast<uint32_t>(src.state));
  }
  out->push_back({format::kSources, std::move(s)});
  return absl::OkStatus();
}

absl::StatusOr<SourcesSection> SourcesSection::Decode(
    const SectionDirectory& dir) {
  SourcesSection s;
  if (!dir.present[format::kSources]) return s;
  absl::StatusOr<CountedTable> t = DecodeCountedTable(
      format::kSources, dir.section[format::kSources], kEntrySize, true);
  if (!t.ok()) return t.status();
  s.table_ = t->entries;
  s.count_ = t->count;
  for (uint64_t k = 0; k < s.count_; ++k) {
    const uint32_t state = bytes::Load32(s.table_ + kEntrySize * k + 12);
    if (state > static_cast<uint32_t>(SourceState::kRejected)) {
      return absl::DataLossError(
          absl::StrCat("source ", k, " has state ", state, ", not 0, 1 or 2"));
    }
  }
  return s;
}

}  // namespace ksym
