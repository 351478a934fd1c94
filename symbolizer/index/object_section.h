// kObjects, kModuleRules and kDataAnnotations (both optional) (format.h):
// the object files symbols come from, a counted table of {path (string
// ref), annotation_start} (its text symbols' annotation), for each object
// the rule that inferred its symbols' module set (0: a fact of the kernel
// build), and where its data symbols' annotation starts.
#ifndef KSYM_SYMBOLIZER_INDEX_OBJECT_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_OBJECT_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class ObjectSection {
 public:
  static constexpr uint64_t kEntrySize = 8;

  uint32_t count() const { return count_; }
  // object < count().
  uint32_t PathRef(uint32_t object) const {
    return bytes::Load32(objects_ + kEntrySize * object);
  }
  // format::kNoAnnotation, or where in the path the annotation of the
  // object's symbols of `kind` starts.
  uint32_t AnnotationStart(uint32_t object,
                           NameKind kind = NameKind::kText) const {
    if (kind == NameKind::kData) {
      return data_annotations_ == nullptr
                 ? format::kNoAnnotation
                 : bytes::Load32(data_annotations_ + 4 * object);
    }
    return bytes::Load32(objects_ + kEntrySize * object + 4);
  }
  bool has_module_rules() const { return module_rules_ != nullptr; }
  // 0 without the kModuleRules section.
  uint8_t ModuleRule(uint32_t object) const {
    return module_rules_ == nullptr
               ? 0
               : static_cast<uint8_t>(module_rules_[object]);
  }

  // kModuleRules only when some object has a rule, kDataAnnotations only
  // when some object has a data annotation. InvalidArgument when an
  // annotation is not a suffix of its object's path.
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<ObjectSection> Decode(const SectionDirectory& dir);

 private:
  const char* objects_ = nullptr;
  uint32_t count_ = 0;
  const char* module_rules_ = nullptr;  // null: no inferred modules
  const char* data_annotations_ = nullptr;  // null: none
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_OBJECT_SECTION_H_
