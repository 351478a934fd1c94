// Fuzzes a crash dump's vmcoreinfo (symbolizer/sources/elf/vmcore_note.h):
// bytes with the ELF magic as an ELF core (libelf's program headers and
// note walk), others as the KEY=VALUE text. What it returns must be what
// the kernel writes: a printable release of 1-64 bytes, a build-id of 40
// lowercase hex digits or none.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/vmcore_note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ksym::Vmcoreinfo> v =
      absl::StartsWith(bytes, "\x7f" "ELF")
          ? ksym::ParseVmcoreinfoCore(bytes, "fuzz/vmcore")
          : ksym::ParseVmcoreinfo(bytes, "fuzz/vmcoreinfo");
  if (!v.ok()) return 0;
  if (v->osrelease.empty() || v->osrelease.size() > 64) std::abort();
  for (char c : v->osrelease) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
  }
  if (!v->build_id.empty() && v->build_id.size() != 40) std::abort();
  for (char c : v->build_id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) std::abort();
  }
  return 0;
}
