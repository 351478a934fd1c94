// Builds a Catalog from whatever sources are given, for the index writer:
// parse → merge → attribute → finalize sizes → disambiguate.
//
//   BuildInputs in;
//   in.kallsyms_path = "/proc/kallsyms";
//   absl::StatusOr<BuildOutput> out = BuildCatalog(in);
//   std::string bytes = *SerializeIndex(out->catalog);
//
// With no inputs at all it indexes the running kernel (/proc/kallsyms).
#ifndef KSYM_SYMBOLIZER_BUILDER_BUILDER_H_
#define KSYM_SYMBOLIZER_BUILDER_BUILDER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

struct BuildInputs {
  std::string kallsyms_path;    // /proc/kallsyms or a saved copy
  std::string system_map_path;  // System.map of the same kernel
  // Identity to record; when kallsyms_path is the live /proc/kallsyms and
  // this is empty, the running kernel's identity is used.
  KernelIdentity identity;
  bool identity_given = false;
};

struct BuildOutput {
  Catalog catalog;
  DisambiguationReport report;
  // Human-readable notes for the user ("KASLR offset 0x1c000000 from
  // _text", ...).
  std::vector<std::string> notes;
};

// Reports progress as (done, total, what); total 0 = unknown.
using ProgressFn = std::function<void(uint64_t, uint64_t, absl::string_view)>;

absl::StatusOr<BuildOutput> BuildCatalog(const BuildInputs& inputs,
                                         const ProgressFn& progress = {});

// The pure part, from already parsed entries (tests and benchmarks).
// `system_map` may be empty. Fills identity.kaslr_offset when both are given
// (kallsyms minus System.map address of _text) and checks they agree.
absl::StatusOr<BuildOutput> BuildFromEntries(
    std::vector<KallsymsEntry> kallsyms, std::vector<KallsymsEntry> system_map,
    KernelIdentity identity);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_BUILDER_H_
