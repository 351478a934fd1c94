#include "symbolizer/index/object_section.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

// Where `annotation` starts in `path`, or kNoAnnotation when empty.
absl::StatusOr<uint32_t> AnnotationStartIn(absl::string_view path,
                                           absl::string_view annotation) {
  if (annotation.empty()) return format::kNoAnnotation;
  if (!absl::EndsWith(path, annotation)) {
    return absl::InvalidArgumentError(
        absl::StrCat("annotation \"", annotation,
                     "\" is not a suffix of object \"", path, "\""));
  }
  return static_cast<uint32_t>(path.size() - annotation.size());
}

}  // namespace

absl::Status ObjectSection::Encode(const Catalog& catalog,
                                   StringTableBuilder& strings,
                                   EncodedSections* out) {
  std::string table;
  AppendCountedHeader(&table, static_cast<uint32_t>(catalog.objects.size()));
  for (const ObjectFile& o : catalog.objects) {
    absl::StatusOr<uint32_t> ref = strings.Add(o.path, "object path");
    if (!ref.ok()) return ref.status();
    absl::StatusOr<uint32_t> start = AnnotationStartIn(o.path, o.annotation);
    if (!start.ok()) return start.status();
    bytes::Append32(&table, *ref);
    bytes::Append32(&table, *start);
  }
  out->push_back({format::kObjects, std::move(table)});
  std::string data;
  bool any_data = false;
  for (const ObjectFile& o : catalog.objects) {
    absl::StatusOr<uint32_t> start =
        AnnotationStartIn(o.path, o.data_annotation);
    if (!start.ok()) return start.status();
    bytes::Append32(&data, *start);
    any_data |= *start != format::kNoAnnotation;
  }
  if (any_data) out->push_back({format::kDataAnnotations, std::move(data)});
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
  if (dir.present[format::kDataAnnotations]) {
    const absl::string_view data = dir.section[format::kDataAnnotations];
    if (data.size() != 4 * uint64_t{s.count_}) {
      return absl::DataLossError(absl::StrCat(
          "section data_annotations is ", data.size(),
          " bytes, expected 4 per object (", s.count_, ")"));
    }
    s.data_annotations_ = data.data();
  }
  return s;
}

}  // namespace ksym
