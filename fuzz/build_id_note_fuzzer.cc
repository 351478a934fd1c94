// Fuzzes ParseBuildIdNote (symbolizer/running_kernel/identity.h) on
// arbitrary bytes as /sys/kernel/notes would hold them. A build-id it
// returns must be lowercase hex of a whole number of bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/running_kernel/identity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view notes(reinterpret_cast<const char*>(data), size);
  auto id = ksym::ParseBuildIdNote(notes, "notes");
  if (!id.ok()) return 0;
  if (id->size() % 2 != 0 || id->size() > 2 * size) std::abort();
  for (char c : *id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      std::fprintf(stderr, "build_id_note fuzzer: not lowercase hex\n");
      std::abort();
    }
  }
  return 0;
}
