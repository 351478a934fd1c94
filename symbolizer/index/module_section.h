// kModules and kModuleAliasFirst (format.h, both optional): the loadable
// modules of a runtime index (name, core range, build-id, section
// addresses, what the build read of each), and the module symbols the
// kernel names first at their address by the module's symtab order.
#ifndef KSYM_SYMBOLIZER_INDEX_MODULE_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_MODULE_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class ModuleSection {
 public:
  static constexpr uint64_t kEntrySize = 40;
  static constexpr uint64_t kSectionEntrySize = 16;
  struct Entry {
    uint64_t base, size;
    uint32_t name, build_id;  // string refs
    uint32_t first_section, section_count;
    uint32_t flags;  // format::kModule*
  };
  struct Placed {
    uint64_t address;
    uint32_t name;  // string ref
  };

  uint32_t count() const { return count_; }
  // k < count().
  Entry At(uint32_t k) const {
    const char* e = modules_ + kEntrySize * k;
    return {bytes::Load64(e),      bytes::Load64(e + 8),
            bytes::Load32(e + 16), bytes::Load32(e + 20),
            bytes::Load32(e + 24), bytes::Load32(e + 28),
            bytes::Load32(e + 32)};
  }
  // j < the total of every module's section_count (checked at Decode).
  Placed Section(uint32_t j) const {
    const char* e = sections_ + kSectionEntrySize * j;
    return {bytes::Load64(e), bytes::Load32(e + 8)};
  }

  uint32_t alias_first_count() const { return alias_first_count_; }
  // True when symbol i is listed in kModuleAliasFirst. O(log n).
  bool IsAliasFirst(uint32_t symbol) const;

  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  // Sections runs that stay inside the table and follow each other, known
  // flags; alias-first symbols ascending and below symbol_count.
  static absl::StatusOr<ModuleSection> Decode(const SectionDirectory& dir);

 private:
  const char* modules_ = nullptr;
  uint32_t count_ = 0;
  const char* sections_ = nullptr;
  const char* alias_first_ = nullptr;
  uint32_t alias_first_count_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_MODULE_SECTION_H_
