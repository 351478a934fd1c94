#include "symbolizer/index/module_section.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ksym {

bool ModuleSection::IsAliasFirst(uint32_t symbol) const {
  uint32_t lo = 0, hi = alias_first_count_;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const uint32_t v = bytes::Load32(alias_first_ + 4 * uint64_t{mid});
    if (v == symbol) return true;
    if (v < symbol) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

absl::Status ModuleSection::Encode(const Catalog& catalog,
                                   StringTableBuilder& strings,
                                   EncodedSections* out) {
  if (!catalog.modules.empty()) {
    std::string table, placed;
    AppendCountedHeader(&table, static_cast<uint32_t>(catalog.modules.size()));
    uint32_t first = 0;
    for (const LoadedModuleRecord& m : catalog.modules) {
      const std::string what = absl::StrCat("module record of ", m.name);
      absl::StatusOr<uint32_t> name = strings.Add(m.name, what);
      if (!name.ok()) return name.status();
      absl::StatusOr<uint32_t> id = strings.Add(m.build_id, what);
      if (!id.ok()) return id.status();
      bytes::Append64(&table, m.base);
      bytes::Append64(&table, m.size);
      bytes::Append32(&table, *name);
      bytes::Append32(&table, *id);
      bytes::Append32(&table, first);
      bytes::Append32(&table, static_cast<uint32_t>(m.sections.size()));
      bytes::Append32(&table,
                      (m.symbols_from_ko ? format::kModuleFromKo : 0) |
                          (m.debug_read ? format::kModuleDebugRead : 0) |
                          (m.range_inferred ? format::kModuleRangeInferred
                                            : 0));
      bytes::Append32(&table, 0);
      for (const ModuleSectionAddress& s : m.sections) {
        absl::StatusOr<uint32_t> ref = strings.Add(s.name, what);
        if (!ref.ok()) return ref.status();
        bytes::Append64(&placed, s.address);
        bytes::Append32(&placed, *ref);
        bytes::Append32(&placed, 0);
      }
      first += static_cast<uint32_t>(m.sections.size());
    }
    out->push_back({format::kModules, table + placed});
  }
  std::string alias_first;
  for (size_t i = 0; i < catalog.symbols.size(); ++i) {
    if (catalog.symbols[i].module_alias_first) {
      bytes::Append32(&alias_first, static_cast<uint32_t>(i));
    }
  }
  if (!alias_first.empty()) {
    out->push_back({format::kModuleAliasFirst, std::move(alias_first)});
  }
  return absl::OkStatus();
}

absl::StatusOr<ModuleSection> ModuleSection::Decode(
    const SectionDirectory& dir) {
  ModuleSection s;
  if (dir.present[format::kModules]) {
    absl::StatusOr<CountedTable> t = DecodeCountedTable(
        format::kModules, dir.section[format::kModules], kEntrySize, false);
    if (!t.ok()) return t.status();
    if (t->count > UINT32_MAX) {
      return SectionError(format::kModules, "has ", t->count, " modules");
    }
    s.modules_ = t->entries;
    s.count_ = static_cast<uint32_t>(t->count);
    if (t->rest.size() % kSectionEntrySize != 0) {
      return SectionError(format::kModules, "has ", t->rest.size(),
                          " bytes of sections, not a multiple of ",
                          kSectionEntrySize);
    }
    const uint64_t placed = t->rest.size() / kSectionEntrySize;
    s.sections_ = t->rest.data();
    uint64_t next = 0;
    for (uint32_t k = 0; k < s.count_; ++k) {
      const Entry e = s.At(k);
      if (e.first_section != next ||
          uint64_t{e.first_section} + e.section_count > placed) {
        return SectionError(format::kModules, "module ", k, " has sections ",
                            e.first_section, "+", e.section_count,
                            ", not the run from ", next, " within ", placed);
      }
      next += e.section_count;
      const uint32_t known = format::kModuleFromKo | format::kModuleDebugRead |
                             format::kModuleRangeInferred;
      if (e.flags & ~known) {
        return SectionError(format::kModules, "module ", k,
                            " has unknown flags 0x", absl::Hex(e.flags));
      }
    }
    if (next != placed) {
      return SectionError(format::kModules, "has ", placed,
                          " sections but its modules name ", next);
    }
  }
  if (dir.present[format::kModuleAliasFirst]) {
    const absl::string_view a = dir.section[format::kModuleAliasFirst];
    if (a.size() % 4 != 0) {
      return SectionError(format::kModuleAliasFirst, "is ", a.size(),
                          " bytes, not a multiple of 4");
    }
    s.alias_first_ = a.data();
    s.alias_first_count_ = static_cast<uint32_t>(a.size() / 4);
    for (uint32_t k = 0; k < s.alias_first_count_; ++k) {
      const uint32_t v = bytes::Load32(a.data() + 4 * uint64_t{k});
      if (v >= dir.symbol_count ||
          (k > 0 && v <= bytes::Load32(a.data() + 4 * uint64_t{k - 1}))) {
        return SectionError(format::kModuleAliasFirst, "entry ", k, " is ", v,
                            ": not ascending below ", dir.symbol_count);
      }
    }
  }
  return s;
}

}  // namespace ksym
