// Fuzzes ParseSystemMap (System.map text) and checks what it returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/kallsyms.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = ksym::ParseSystemMap(text, "System.map");
  if (!entries.ok()) return 0;
  for (const ksym::KallsymsEntry& e : *entries) {
    // System.map describes vmlinux only: never a module column.
    if (e.name.empty() || !e.module.empty()) std::abort();
  }
  return 0;
}
