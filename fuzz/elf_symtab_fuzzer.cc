// Fuzzes ParseElfSymtab: libelf and the symbol table walk on arbitrary bytes
// (ELF32/64, ET_REL and linked, SHN_XINDEX, .modinfo, build-id notes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/elf_symtab.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto table = ksym::ParseElfSymtab(bytes, "fuzz/ksym-fuzz.ko");
  if (!table.ok()) return 0;
  if (table->elf_class != 32 && table->elf_class != 64) std::abort();
  for (const ksym::ElfSymbol& s : table->symbols) {
    if (s.file >= static_cast<int64_t>(table->files.size())) std::abort();
  }
  return 0;
}
