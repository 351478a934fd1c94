// Fuzzes ParseKbuildCmd (the first line of a kbuild .cmd file).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/modules_builtin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto cmd = ksym::ParseKbuildCmd(text, "fs/ext4/.super.o.cmd");
  if (!cmd.ok() || !cmd->has_value()) return 0;
  const ksym::KbuildCmd& c = **cmd;
  if (c.object.empty() || c.modfiles.empty()) std::abort();
  for (const std::string& m : c.modfiles) {
    if (m.empty()) std::abort();
  }
  return 0;
}
