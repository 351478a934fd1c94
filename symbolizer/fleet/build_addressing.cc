#include "symbolizer/fleet/build_addressing.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "symbolizer/fleet/module_index.h"

namespace ksym {

BuildAddressing BuildAddressing::Of(const Symbolizer& index) {
  BuildAddressing b;
  b.sections = ModuleSectionBases(index);
  b.module = !b.sections.empty();
  if (b.module) return b;
  for (const char* anchor : {"_text", "_stext"}) {
    Query q;
    q.name = anchor;
    std::vector<Candidate> c = index.Resolve(q);
    if (c.size() == 1) {
      b.text_known = true;
      b.link_text = c[0].address;
      break;
    }
  }
  return b;
}

absl::StatusOr<uint64_t> BuildAddressing::IndexAddress(
    MappedAddress::Kind kind, absl::string_view section,
    uint64_t offset) const {
  switch (kind) {
    case MappedAddress::Kind::kUnmapped:
      return absl::InvalidArgumentError("the address is not mapped");
    case MappedAddress::Kind::kKernel:
      if (module) {
        return absl::NotFoundError(
            "a kernel address asked of a module build's index");
      }
      if (!text_known) {
        return absl::NotFoundError("the kernel build's index has no _text");
      }
      return link_text + offset;
    case MappedAddress::Kind::kModule: {
      if (!module) {
        return absl::NotFoundError(
            "a module address asked of a kernel build's index");
      }
      auto it = sections.find(section);
      if (it == sections.end()) {
        return absl::NotFoundError(
            absl::StrCat("section ", section, " holds no symbol of the "
                         "module build"));
      }
      return it->second + offset;
    }
  }
  return absl::InvalidArgumentError("unknown kind");
}

}  // namespace ksym
