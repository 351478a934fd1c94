// Fuzzes ParseModulesBuiltin and ModuleNameOfPath on what it returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/sources/modules_builtin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto paths = ksym::ParseModulesBuiltin(text, "modules.builtin");
  if (!paths.ok()) return 0;
  for (const std::string& path : *paths) {
    // Documented: anything but "kernel/PATH.ko" is refused.
    if (!absl::StartsWith(path, "kernel/") || !absl::EndsWith(path, ".ko")) {
      std::abort();
    }
    const std::string name = ksym::ModuleNameOfPath(path);
    if (name.find('-') != std::string::npos ||
        name.find(',') != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
