// Owns a libelf `Elf*` opened over caller bytes (elf_memory) or over a file
// mapped read-only (elf_begin with ELF_C_READ_MMAP), for the ELF and DWARF
// sources. A 600 MB vmlinux is mapped, never read into memory whole.
//
//   absl::StatusOr<ElfHandle> elf = ElfHandle::OpenFile("vmlinux");
//   if (elf.ok()) UseElf(elf->get());
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_ELF_HANDLE_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_ELF_HANDLE_H_

#include <gelf.h>
#include <libelf.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

class ElfHandle {
 public:
  // `bytes` must outlive the handle. libelf reads them in place and writes
  // into them only when asked to change the image (gelf_update_*,
  // elf_compress, libdwfl relocation): callers that do must pass a copy.
  static ElfHandle OverMemory(absl::string_view bytes);
  // NotFound (or the errno's code) when the file cannot be opened. A path
  // under `root` (--root; "" or "/" for none) is opened in the root
  // (files/root_fd.h) and must be a regular file; libelf maps that fd, so
  // no component swapped meanwhile leads outside the root.
  static absl::StatusOr<ElfHandle> OpenFile(const std::string& path,
                                            const std::string& root = "");

  ElfHandle(ElfHandle&& other) noexcept;
  ElfHandle& operator=(ElfHandle&& other) noexcept;
  ElfHandle(const ElfHandle&) = delete;
  ElfHandle& operator=(const ElfHandle&) = delete;
  ~ElfHandle();

  // May be null when libelf refused the input.
  Elf* get() const { return elf_; }

 private:
  ElfHandle(Elf* elf, int fd) : elf_(elf), fd_(fd) {}
  void Reset();

  Elf* elf_ = nullptr;
  int fd_ = -1;
};

// The ELF header of `elf`. InvalidArgument `PATH: not an ELF file` unless
// it is an ELF object, and an error too when the section header table lies
// past the end of the file (libelf would report no sections at all).
absl::StatusOr<GElf_Ehdr> ReadElfHeader(Elf* elf, absl::string_view path);

// InvalidArgument `PATH: WHAT: <libelf's message for its last error>`.
absl::Status LibelfError(absl::string_view path, absl::string_view what);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_ELF_HANDLE_H_
