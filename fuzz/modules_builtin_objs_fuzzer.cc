// Fuzzes ParseModulesBuiltinObjs ("path/mod.o: path/a.o path/b.o" lines).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/modules_builtin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto modules = ksym::ParseModulesBuiltinObjs(text, "modules.builtin.objs");
  if (!modules.ok()) return 0;
  for (const ksym::BuiltinModuleObjects& m : *modules) {
    if (m.module_object.empty()) std::abort();
    for (const std::string& o : m.objects) {
      if (o.empty()) std::abort();
    }
  }
  return 0;
}
