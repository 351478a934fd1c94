#include "symbolizer/fleet/layout_map.h"

#include <algorithm>

namespace ksym {

LayoutMap::LayoutMap(const HostLayout& layout) : layout_(layout) {
  if (layout.text_known) {
    starts_.push_back({layout.text_address, kKernelStart, 0});
  }
  for (uint32_t m = 0; m < layout.modules.size(); ++m) {
    const auto& sections = layout.modules[m].sections;
    for (uint32_t s = 0; s < sections.size(); ++s) {
      starts_.push_back({sections[s].address, m, s});
    }
  }
  // Ties: _text first, then module order, so that the result is the same
  // for the same record.
  std::stable_sort(starts_.begin(), starts_.end(),
                   [](const Start& a, const Start& b) {
                     return a.address < b.address;
                   });
}

MappedAddress LayoutMap::Map(uint64_t address) const {
  MappedAddress out;
  auto it = std::upper_bound(
      starts_.begin(), starts_.end(), address,
      [](uint64_t a, const Start& s) { return a < s.address; });
  if (it == starts_.begin()) return out;
  --it;
  // Of several starts at one address the first of them (sort is stable).
  while (it != starts_.begin() && (it - 1)->address == it->address) --it;
  out.offset = address - it->address;
  if (it->module == kKernelStart) {
    out.kind = MappedAddress::Kind::kKernel;
    return out;
  }
  out.kind = MappedAddress::Kind::kModule;
  out.module = it->module;
  out.section = layout_.modules[it->module].sections[it->section].name;
  return out;
}

}  // namespace ksym
