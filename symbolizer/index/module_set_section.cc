#include "symbolizer/index/module_set_section.h"

#include <limits>
#include <string>
#include <utility>

namespace ksym {

absl::Status ModuleSetSection::Encode(const Catalog& catalog,
                                      StringTableBuilder& strings,
                                      EncodedSections* out) {
  std::string table, refs;
  const uint32_t count = static_cast<uint32_t>(catalog.module_sets.size());
  AppendCountedHeader(&table, count);
  uint32_t first = 0;
  for (uint32_t id = 0; id < count; ++id) {
    const auto& set = catalog.module_sets[id];
    if (set.size() > std::numeric_limits<uint16_t>::max()) {
      return absl::InvalidArgumentError("module set too large");
    }
    bytes::Append32(&table, first);
    bytes::Append16(&table, static_cast<uint16_t>(set.size()));
    bytes::Append16(&table, catalog.loadable_module_sets.contains(id)
                                ? format::kModuleSetLoadable
                                : 0);
    for (const std::string& m : set) {
      absl::StatusOr<uint32_t> ref = strings.Add(m, "module name");
      if (!ref.ok()) return ref.status();
      bytes::Append32(&refs, *ref);
    }
    first += static_cast<uint32_t>(set.size());
  }
  table.append(refs);
  out->push_back({format::kModuleSets, std::move(table)});
  return absl::OkStatus();
}

absl::StatusOr<ModuleSetSection> ModuleSetSection::Decode(
    const SectionDirectory& dir) {
  absl::StatusOr<CountedTable> t =
      DecodeCountedTable(format::kModuleSets, dir.section[format::kModuleSets],
                         kEntrySize, /*exact=*/false);
  if (!t.ok()) return t.status();
  ModuleSetSection s;
  s.sets_ = t->entries;
  s.count_ = static_cast<uint32_t>(t->count);
  if (s.count_ == 0) {
    return absl::DataLossError("module set 0 (empty) is missing");
  }
  if (t->rest.size() % 4 != 0) {
    return absl::DataLossError(
        "section module_sets has a partial module reference");
  }
  s.refs_ = t->rest.data();
  s.ref_count_ = t->rest.size() / 4;
  return s;
}

}  // namespace ksym
