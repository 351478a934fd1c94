// Small facts about a vmlinux that the builder needs besides its symbols:
// which .symtab entries System.map (scripts/mksysmap) keeps, and the kernel
// release from the `linux_banner` string:
//
//   ffffffff81e001a0 D linux_banner
//   "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) ..."
//   → "6.1.0-56-cloud-amd64"
#ifndef KSYM_SYMBOLIZER_BUILDER_VMLINUX_FACTS_H_
#define KSYM_SYMBOLIZER_BUILDER_VMLINUX_FACTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

// False for the `nm -n vmlinux` lines scripts/mksysmap deletes, in any
// kernel version (the union of its rules from 2.6 to 6.12): types a, N, U,
// w; names starting with $, .L, __crc_, __kstrtab_, __kstrtabns_,
// __efistub_, __kcfi_typeid_, the lld thunk prefixes, __pi_/__kvm_nvhe_
// followed by $ or .L; names ending in _from_arm, _from_thumb, _veneer; and
// the names L0, _SDA_BASE_, _SDA2_BASE_.
bool MksysmapKeeps(char nm_type, absl::string_view name);

// The release from a linux_banner string "Linux version RELEASE (...": the
// word after "Linux version ". InvalidArgument when the text does not start
// that way.
absl::StatusOr<std::string> ReleaseFromBanner(absl::string_view banner);

// The release of the linux_banner string at `address` of the linked ELF
// file `path` (ReadElfString, then ReleaseFromBanner).
absl::StatusOr<std::string> ReleaseAtBanner(const std::string& path,
                                            uint64_t address,
                                            const std::string& root = "");

// The NUL-terminated string (at most `max_length` bytes) at `address` of a
// linked ELF file's allocated, file-backed sections, read through libelf
// from a read-only mapping. NotFound when no such section holds the address.
// A path under `root` (--root) is opened in the root (files/root_fd.h).
absl::StatusOr<std::string> ReadElfString(const std::string& path,
                                          uint64_t address,
                                          size_t max_length = 512,
                                          const std::string& root = "");

// The KBUILD_MODNAME and __FILE__ of the dynamic-debug descriptors (struct
// _ddebug, CONFIG_DYNAMIC_DEBUG: `modname`, `function`, `filename`
// pointers first; the vmlinux symbols __UNIQUE_ID_ddebugN) at `addresses`
// of a linked 64-bit little-endian ELF file: {"ext4", "fs/ext4/inode.c"}.
// A pointer that an R_*_RELATIVE relocation of the file's SHT_RELA sections
// places (arm64's relocatable kernel leaves them 0 in its data, placed at
// boot from .rela.dyn) is read as the relocation's addend.
// Descriptors whose pointers lead outside the file's sections are skipped.
// FailedPrecondition for other ELF classes.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ReadDyndbgDescriptors(const std::string& path,
                      const std::vector<uint64_t>& addresses,
                      const std::string& root = "");

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_VMLINUX_FACTS_H_
