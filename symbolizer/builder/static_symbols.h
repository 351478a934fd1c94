// Stage 2 of a build: the kernel's symbols at their link-time addresses,
// from vmlinux .symtab (exact sizes, STT_FILE groups, build-id, release
// from linux_banner) or, without a vmlinux, from System.map:
//
//   ffffffff81000000 T _text                  (System.map, `nm -n` order)
//
// With both, System.map decides which .symtab entries are listed and every
// one of its text symbols must be in the vmlinux at the same address (else
// FailedPrecondition: not the same build). Without System.map the .symtab
// is filtered as scripts/mksysmap does.
//
//   absl::StatusOr<StaticSymbols> s = ReadStaticSymbols(inputs, log);
//   s->label == "vmlinux"; s->symbols[i], s->file_group[i] ...
#ifndef KSYM_SYMBOLIZER_BUILDER_STATIC_SYMBOLS_H_
#define KSYM_SYMBOLIZER_BUILDER_STATIC_SYMBOLS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/inputs.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

struct StaticSymbols {
  // "vmlinux", "System.map", or "" when neither was given.
  std::string label;
  // From vmlinux: its symbols, and parallel to them the index into `files`
  // of each symbol's STT_FILE group (-1 for none) and whether it is in
  // .data..percpu.
  std::vector<Symbol> symbols;
  std::vector<int32_t> file_group;
  std::vector<bool> percpu;
  std::vector<std::string> files;
  std::string build_id;        // lowercase hex, "" when the ELF has none
  std::string arch;            // "x86_64", ...
  std::string banner_release;  // from linux_banner, "" when unreadable
  // From System.map, when it is the static source (no vmlinux).
  std::vector<KallsymsEntry> system_map;
};

// Reads System.map and/or vmlinux as resolved; an empty label when neither.
absl::StatusOr<StaticSymbols> ReadStaticSymbols(const ResolvedInputs& inputs,
                                                BuildLog& log);

// Reads and parses a kallsyms (`kallsyms` true) or System.map file. A
// System.map that is Debian's one-line placeholder is FailedPrecondition.
// A path under `root` (--root; "" or "/" for none) is read from an fd
// opened in the root (files/root_fd.h).
absl::StatusOr<std::vector<KallsymsEntry>> ReadSymbolMap(
    const std::string& root, const std::string& path, bool kallsyms,
    BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_STATIC_SYMBOLS_H_
