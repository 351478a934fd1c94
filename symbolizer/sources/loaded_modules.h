// Parsers for the files that say which loadable modules a kernel has and
// where: /proc/modules, /sys/module/M/sections/* and /lib/modules/R/
// modules.dep. Each takes the file's bytes; `filename` only names it in
// errors ("FILE:LINE: what").
//
// /proc/modules (kernel/module/procfs.c, "%s %u %u %s %s 0x%px" plus taint
// flags): name, core size, reference count, users ("-" for none, else
// "a,b,"), state, core address:
//
//   virtio_pci 28672 0 - Live 0xffffffffc0381000
//   nvidia 56807424 20 nvidia_modeset, Live 0xffffffffc1000000 (POE)
//
// /sys/module/M/sections/SECTION (one file per allocated section, readable
// by root only; others read zeros):
//
//   0xffffffffc0381000
//
// modules.dep (depmod): a module's path relative to /lib/modules/R, then
// the modules it needs:
//
//   kernel/fs/fat/vfat.ko.xz: kernel/fs/fat/fat.ko.xz
#ifndef KSYM_SYMBOLIZER_SOURCES_LOADED_MODULES_H_
#define KSYM_SYMBOLIZER_SOURCES_LOADED_MODULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct LoadedModule {
  std::string name;      // "virtio_pci" ('_', as the kernel names it)
  uint64_t size = 0;     // core size in bytes
  uint64_t address = 0;  // core base; 0 when hidden from this reader
  std::string state;     // "Live", "Loading", "Unloading"
};

// InvalidArgument "FILE:LINE: ..." for a line with fewer than six fields, a
// non-numeric size or an address not "0x" + hex.
absl::StatusOr<std::vector<LoadedModule>> ParseProcModules(
    absl::string_view text, absl::string_view filename);

// One section file's address. InvalidArgument unless it is "0x" + hex
// (trailing newline allowed).
absl::StatusOr<uint64_t> ParseSectionAddress(absl::string_view text,
                                             absl::string_view filename);

struct ModuleFile {
  std::string name;  // "vfat", from the file name (see ModuleNameOfFile)
  std::string path;  // "kernel/fs/fat/vfat.ko.xz", relative to the dir
};

// Every module of modules.dep, in file order. InvalidArgument for a line
// without ':' or whose path does not name a .ko file.
absl::StatusOr<std::vector<ModuleFile>> ParseModulesDep(
    absl::string_view text, absl::string_view filename);

// The kernel's name of the module in `path` (names/qualified_name.h
// ModuleNameOfPath: "kernel/arch/x86/crypto/sha256-ssse3.ko.zst" ->
// "sha256_ssse3"); "" when it is no module file (.ko, .ko.xz, .ko.zst,
// .ko.gz, .ko.debug).
std::string ModuleNameOfFile(absl::string_view path);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_LOADED_MODULES_H_
