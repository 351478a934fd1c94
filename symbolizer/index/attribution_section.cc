#include "symbolizer/index/attribution_section.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ksym {

absl::Status AttributionSection::Encode(const Catalog& catalog,
                                        StringTableBuilder& strings,
                                        EncodedSections* out) {
  const std::vector<Symbol>& syms = catalog.symbols;
  std::string runs;
  uint32_t count = 0;
  for (uint64_t i = 0; i < syms.size(); ++i) {
    const Symbol& s = syms[i];
    if (s.module_set >= catalog.module_sets.size() ||
        (s.object != kNoObject && s.object >= catalog.objects.size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbol ", s.name,
          " refers to a module set or object that does not exist"));
    }
    if (i == 0 || s.module_set != syms[i - 1].module_set ||
        s.object != syms[i - 1].object) {
      bytes::Append32(&runs, static_cast<uint32_t>(i));
      bytes::Append32(&runs, s.module_set);
      bytes::Append32(&runs,
                      s.object == kNoObject ? format::kNoObjectId : s.object);
      ++count;
    }
  }
  std::string table;
  AppendCountedHeader(&table, count);
  table.append(runs);
  out->push_back({format::kAttribution, std::move(table)});
  return absl::OkStatus();
}

absl::StatusOr<AttributionSection> AttributionSection::Decode(
    const SectionDirectory& dir) {
  absl::StatusOr<CountedTable> t = DecodeCountedTable(
      format::kAttribution, dir.section[format::kAttribution], kRunSize, true);
  if (!t.ok()) return t.status();
  AttributionSection s;
  s.runs_ = t->entries;
  s.run_count_ = static_cast<uint32_t>(t->count);
  if (dir.symbol_count > 0 && (s.run_count_ == 0 || s.RunFirst(0) != 0)) {
    return absl::DataLossError(
        "section attribution does not start at symbol 0");
  }
  return s;
}

}  // namespace ksym
