#include "symbolizer/index/object_section.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ksym {

absl::Status ObjectSection::Encode(const Catalog& catalog,
                                   StringTableBuilder& strings,
                                   EncodedSections* out) {
  std::string table;
  AppendCountedHeader(&table, static_cast<uint32_t>(catalog.objects.size()));
  for (const ObjectFile& o : catalog.objects) {
    absl::StatusOr<uint32_t> ref = strings.Add(o.path, "object path");
    if (!ref.ok()) return ref.status();
    uint32_t start = format::kNoAnnotation;
    if (!o.annotation.empty()) {
      absl::string_view path = o.path;
      if (!absl::EndsWith(path, o.annotation)) {
        return absl::InvalidArgumentError(
            absl::StrCat("annotation \"", o.annotation,
                         "\" is not a suffix of object \"", o.path, "\""));
      }
      start = static_cast<uint32_t>(path.size() - o.annotation.size());
    }
    bytes::Append32(&table, *ref);
    bytes::Append32(&table, start);
  }
  out->push_back({format::kObjects, std::move(table)});
  std::string rules;
  bool any_rule = false;
  for (const ObjectFile& o : catalog.objects) {
    rules.push_back(static_cast<char>(o.module_rule));
    any_rule |= o.module_rule != 0;
  }
  if (any_rule) out->push_back({format::kModuleRules, std::move(rules)});
  return absl::OkStatus();
}

absl::StatusOr<ObjectSection> ObjectSection::Decode(
    const SectionDirectory& dir) {
  absl::StatusOr<CountedTable> t = DecodeCountedTable(
      format::kObjects, dir.section[format::kObjects], kEntrySize, true);
  if (!t.ok()) return t.status();
  ObjectSection s;
  s.objects_ = t->entries;
  s.count_ = static_cast<uint32_t>(t->count);
  if (dir.present[format::kModuleRules]) {
    const absl::string_view rules = dir.section[format::kModuleRules];
    if (rules.size() != s.count_) {
      return absl::DataLossError(absl::StrCat(
          "section module_rules is ", rules.size(),
          " bytes, expected one per object (", s.count_, ")"));
    }
    s.module_rules_ = rules.data();
  }
  return s;
}

}  // namespace ksym
