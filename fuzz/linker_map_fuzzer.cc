// Fuzzes the GNU ld / lld map parsers. The input is one map, or two maps
// separated by a NUL byte: a final vmlinux.map and the vmlinux.o.map its
// `vmlinux.o` sections expand through (ExpandRelocatableObject).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/linkmap/linker_map.h"

namespace {

void CheckRanges(const ksym::LinkerMap& map) {
  std::vector<ksym::ObjectRangeLite> ranges = ksym::ObjectRanges(map);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].begin >= ranges[i].end) std::abort();
    if (i > 0 && ranges[i - 1].begin > ranges[i].begin) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const absl::string_view first = input.substr(0, nul);
  auto map = ksym::ParseLinkerMap(first, "vmlinux.map");
  if (map.ok()) {
    for (size_t i = 1; i < map->sections.size(); ++i) {
      if (map->sections[i - 1].address > map->sections[i].address) {
        std::abort();  // documented: sorted by address
      }
    }
    CheckRanges(*map);
  }
  // Both parsers directly too: ParseLinkerMap picks only one.
  (void)ksym::ParseGnuLdMap(first, "vmlinux.map");
  (void)ksym::ParseLldMap(first, "vmlinux.map");
  if (nul == absl::string_view::npos || !map.ok()) return 0;
  auto relocatable =
      ksym::ParseLinkerMap(input.substr(nul + 1), "vmlinux.o.map");
  if (!relocatable.ok()) return 0;
  ksym::LinkerMap expanded =
      ksym::ExpandRelocatableObject(*map, "vmlinux.o", *relocatable);
  CheckRanges(expanded);
  return 0;
}
