// Fuzzes ParseKallsyms (/proc/kallsyms text) and checks what it returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/kallsyms.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = ksym::ParseKallsyms(text, "kallsyms");
  if (!entries.ok()) return 0;
  bool any_address = false;
  for (const ksym::KallsymsEntry& e : *entries) {
    // Documented: types are letters, names are never empty, and a zeroed
    // file is refused.
    const bool letter =
        (e.type >= 'a' && e.type <= 'z') || (e.type >= 'A' && e.type <= 'Z');
    if (!letter || e.name.empty()) std::abort();
    any_address |= e.address != 0;
  }
  if (!entries->empty() && !any_address) std::abort();
  return 0;
}
