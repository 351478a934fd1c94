// Fuzzes ParseModulesBuiltinModinfo (NUL-separated MODULE.KEY=VALUE).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/modules_builtin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto modinfo =
      ksym::ParseModulesBuiltinModinfo(bytes, "modules.builtin.modinfo");
  if (!modinfo.ok()) return 0;
  for (const ksym::ModinfoRecord& r : modinfo->records) {
    if (r.module.empty() || r.key.empty()) std::abort();
  }
  for (const auto& [module, file] : modinfo->module_files) {
    if (module.empty()) std::abort();
  }
  return 0;
}
