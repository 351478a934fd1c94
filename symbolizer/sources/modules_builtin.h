// Parsers for the kernel build's records of built-in modules, and for the
// kbuild .cmd files they are derived from. Each takes the file's bytes;
// `filename` is used only in error messages.
//
// modules.builtin, one line per built-in module:
//   kernel/fs/ext4/ext4.ko
//
// modules.builtin.modinfo, the .modinfo section of vmlinux.o: NUL-terminated
// "MODULE.KEY=VALUE" records:
//   ext4.license=GPL\0binfmt_elf.file=fs/binfmt_elf\0
//
// modules.builtin.objs (kallmodsyms series, not upstream):
//   fs/ext4/ext4.o: fs/ext4/balloc.o fs/ext4/bitmap.o
//   fs/binfmt_elf.o:
//
// modules.builtin.ranges (Linux 6.12+, scripts/generate_builtin_ranges.awk):
//   .text 00000000-00000000 = _text
//   .text 0000baf0-0000cb10 amd_uncore
//   .text 00ba0120-00ba03c0 int3472_discrete int3472_tps68470
//
// A kbuild fs/ext4/.super.o.cmd file, first line:
//   savedcmd_fs/ext4/super.o := gcc ... -DKBUILD_MODFILE='"fs/ext4/ext4"'
//       -DKBUILD_BASENAME='"super"' -DKBUILD_MODNAME='"ext4"' ...

#ifndef KSYM_SYMBOLIZER_SOURCES_MODULES_BUILTIN_H_
#define KSYM_SYMBOLIZER_SOURCES_MODULES_BUILTIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

// modules.builtin: the module paths as written ("kernel/fs/ext4/ext4.ko").
// Empty lines are skipped; anything but "kernel/PATH.ko" is InvalidArgument.
absl::StatusOr<std::vector<std::string>> ParseModulesBuiltin(
    absl::string_view text, absl::string_view filename);

struct ModinfoRecord {
  std::string module;  // "ext4"; "a:b" for an object shared by two modules
  std::string key;     // "file", "license", "alias", "parm", ...
  std::string value;
};

struct BuiltinModinfo {
  std::vector<ModinfoRecord> records;  // in file order
  // module name -> its "file" value ("binfmt_elf" -> "fs/binfmt_elf"),
  // first-seen order, without repeats (every MODULE_LICENSE of a module
  // repeats its file record). A record of an object shared by several
  // modules ("a:b.file=dir/a dir/b") yields one pair per module.
  std::vector<std::pair<std::string, std::string>> module_files;
};

// modules.builtin.modinfo. Empty records (consecutive NULs) are skipped.
// A record without '.' before '=' or with an empty module or key, and a
// last record without its NUL, are InvalidArgument.
absl::StatusOr<BuiltinModinfo> ParseModulesBuiltinModinfo(
    absl::string_view bytes, absl::string_view filename);

struct BuiltinModuleObjects {
  std::string module_object;         // "fs/ext4/ext4.o"
  std::vector<std::string> objects;  // empty: the module is that one object
};

// modules.builtin.objs, one entry per line in file order. The generator
// leaves a space after the ':' of a single-object module; that is accepted.
// It also emits a bare path without ':' for the first module of an object
// shared by several modules (it splits "-DKBUILD_MODFILE='"dir/a dir/b"'"
// at the space); such a line names no objects and is skipped.
absl::StatusOr<std::vector<BuiltinModuleObjects>> ParseModulesBuiltinObjs(
    absl::string_view text, absl::string_view filename);

struct BuiltinRange {
  std::string section;  // ".text"
  // Offsets from the section's start; [start, end).
  uint64_t start = 0;
  uint64_t end = 0;
  std::vector<std::string> modules;  // one or more module names
  // The section's anchor, from "SECTION OFF-OFF = SYMBOL": the section
  // starts at address(anchor) - anchor_offset, so an offset X is at
  // address(anchor) - anchor_offset + X. The generator writes the anchor
  // first; `anchor` is empty if no anchor for the section preceded.
  std::string anchor;
  uint64_t anchor_offset = 0;
};

// modules.builtin.ranges. Ranges of one section must ascend without
// overlapping (they may touch); a later anchor line for a section replaces
// the earlier one. Errors are InvalidArgument "FILE:LINE: ...".
absl::StatusOr<std::vector<BuiltinRange>> ParseModulesBuiltinRanges(
    absl::string_view text, absl::string_view filename);

struct KbuildCmd {
  std::string object;  // "fs/ext4/super.o"
  // KBUILD_MODFILE ("fs/ext4/ext4"), or RUST_MODFILE for Rust objects. An
  // object linked into several modules lists them all, space-separated.
  std::string modfile;
  std::vector<std::string> modfiles;  // `modfile` split at spaces
  // KBUILD_MODNAME ("ext4"; "a:b" for several modules); empty when the
  // command has none (Rust objects).
  std::string modname;
};

// The first line of a kbuild .cmd file: "savedcmd_OBJECT := COMMAND"
// (Linux 6.2+) or "cmd_OBJECT := COMMAND" (older). Returns std::nullopt when
// the command carries no module file (assembler, host and link commands,
// and kernels before KBUILD_MODFILE existed); InvalidArgument for a file
// whose first line is not a saved command or whose flags are malformed.
absl::StatusOr<std::optional<KbuildCmd>> ParseKbuildCmd(
    absl::string_view text, absl::string_view filename);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_MODULES_BUILTIN_H_
