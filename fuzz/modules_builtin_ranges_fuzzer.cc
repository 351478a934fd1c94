// Fuzzes ParseModulesBuiltinRanges and checks its documented guarantees:
// every range names a module, and a section's ranges ascend without
// overlapping.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/modules_builtin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto ranges = ksym::ParseModulesBuiltinRanges(text, "modules.builtin.ranges");
  if (!ranges.ok()) return 0;
  std::map<std::string, uint64_t> section_end;
  for (const ksym::BuiltinRange& r : *ranges) {
    if (r.modules.empty() || r.start > r.end) std::abort();
    auto [it, inserted] = section_end.emplace(r.section, r.end);
    if (!inserted) {
      if (r.start < it->second) std::abort();
      it->second = r.end;
    }
  }
  return 0;
}
