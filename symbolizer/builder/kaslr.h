// Stage 4 of a build: KASLR. The slide is the runtime minus the link-time
// address of _text (else _stext, startup_64), checked on every text symbol
// whose name is unique: a kallsyms of another kernel moves nearly all of
// them differently and is refused. Then the link-time symbols move to
// their runtime addresses, except those kallsyms lists where they are
// linked (absolute symbols, x86_64 per-CPU data linked at 0):
//
//   System.map  ffffffff81000000 T _text
//   kallsyms    ffffffff9d000000 T _text        → slide 0x1c000000
//   kallsyms    0000000000000000 A fixed_percpu_data   (not moved)
#ifndef KSYM_SYMBOLIZER_BUILDER_KASLR_H_
#define KSYM_SYMBOLIZER_BUILDER_KASLR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

// A core-kernel symbol of the static side, for the slide computation.
struct StaticName {
  absl::string_view name;
  uint64_t address;
};

// The core-kernel (no [module]) entries / all symbols, as views.
std::vector<StaticName> CoreNames(const std::vector<KallsymsEntry>& entries);
std::vector<StaticName> CoreNames(const std::vector<Symbol>& symbols);

// The KASLR slide of `kallsyms` against the static addresses of the same
// kernel. `label` names the static source in messages ("System.map",
// "vmlinux"). Notes the offset and its anchor. InvalidArgument when no
// anchor is on both sides; FailedPrecondition when more than a tenth of
// the comparable text symbols disagree.
absl::StatusOr<int64_t> ComputeSlide(const std::vector<KallsymsEntry>& kallsyms,
                                     const std::vector<StaticName>& statics,
                                     absl::string_view label, BuildLog& log);

// Moves the catalog's link-time symbols (from vmlinux; `percpu` parallel
// to them) to runtime addresses by `slide`, matching each core entry of
// `kallsyms` by name and address: matched symbols take its type letter and
// stay where kallsyms lists them. Returns the core entries the catalog
// lacks (warned about, to be added as they are). `kallsyms_path` and
// `static_label` name the sources in messages.
std::vector<KallsymsEntry> RelocateToRuntime(
    int64_t slide, const std::vector<bool>& percpu,
    std::vector<KallsymsEntry> kallsyms, absl::string_view kallsyms_path,
    absl::string_view static_label, Catalog& catalog, BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_KASLR_H_
