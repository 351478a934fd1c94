// Where a mapped address (layout_map.h) lies in the static index of its
// build: a kernel build's link-time _text plus the offset, or a module
// build's placed section base (module_index.h) plus the offset. Read once
// per open index.
//
//   BuildAddressing b = BuildAddressing::Of(*index);
//   absl::StatusOr<uint64_t> a = b.IndexAddress(mapped);   // then Locate(*a)
#ifndef KSYM_SYMBOLIZER_FLEET_BUILD_ADDRESSING_H_
#define KSYM_SYMBOLIZER_FLEET_BUILD_ADDRESSING_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/fleet/layout_map.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct BuildAddressing {
  bool module = false;      // a module build (sections), else a kernel build
  bool text_known = false;  // kernel: the index has _text (else _stext)
  uint64_t link_text = 0;
  absl::flat_hash_map<std::string, uint64_t> sections;  // module builds

  static BuildAddressing Of(const Symbolizer& index);

  // kKernel: link_text + offset; kModule: the section's base + offset.
  // NotFound (saying why) for a kernel index without _text, a section the
  // module build does not place, a kernel address asked of a module build
  // or the reverse; InvalidArgument for kUnmapped.
  absl::StatusOr<uint64_t> IndexAddress(MappedAddress::Kind kind,
                                        absl::string_view section,
                                        uint64_t offset) const;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_BUILD_ADDRESSING_H_
