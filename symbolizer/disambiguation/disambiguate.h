// Gives every symbol a /proc/kallmodsyms-style name that is unique
// wherever the inputs allow it, and reports the ones that stay ambiguous:
//
//   ffffffffa6007630 t rapl_cpu_offline\t[rapl]
//   ffffffffa6007710 t amd_pmu_event_map\t{core.o}
//   ffffffff97d82520 t lio_ethtool_get_channels\t[liquidio] [liquidio_vf]
//
// Symbols of one kind (catalog.h NameKind: text t T w W, or data) with the
// same name and module set that come from different object files get
// `{suffix}` annotations, for that kind, on their objects: the
// shortest path suffix, at `/` boundaries, that is not a suffix of any other
// colliding object's path (`core.o`, `sched/core.o`, `kernel/sched/core.o`).
// This is stricter than the kernel patch, which stopped as soon as the
// strings differed: an annotation must also select exactly one object when
// it is used as a `{obj}` query, which matches any path suffix. The two
// kinds are disambiguated apart by the same rule: `__key.0` in a hundred
// objects annotates those objects' data symbols, never their functions,
// so text lines stay byte for byte what /proc/kallmodsyms prints.
//
// Assumptions: (address, name) pairs are unique (merging sources is the
// builder's job) and symbol names contain no whitespace.
#ifndef KSYM_SYMBOLIZER_DISAMBIGUATION_DISAMBIGUATE_H_
#define KSYM_SYMBOLIZER_DISAMBIGUATION_DISAMBIGUATE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "symbolizer/catalog/catalog.h"

namespace ksym {

// Symbols of one kind that share a qualified name after disambiguation.
struct AmbiguousName {
  NameKind kind = NameKind::kText;
  std::string qualified;            // "init_once [mod] {obj.o}"
  std::vector<uint64_t> addresses;  // ascending
  // "same object kernel/foo.o (pre-linked with ld -r?)",
  // "no object attribution", or
  // "different objects annotated {foo.o}" (objects sharing one path).
  std::string reason;
};

struct DisambiguationReport {
  struct Counts {
    // Names of this kind occurring more than once.
    size_t duplicate_names_before = 0;
    // (name, module set) pairs of this kind occurring more than once.
    size_t duplicate_names_after_modules = 0;
    // Objects given a non-empty annotation for this kind.
    size_t annotated_objects = 0;
  };
  Counts text, data;
  // text's counts, as before data symbols were disambiguated.
  size_t duplicate_names_before = 0;
  size_t duplicate_names_after_modules = 0;
  size_t annotated_objects = 0;
  // Both kinds, sorted by qualified name (text first at the same name).
  std::vector<AmbiguousName> ambiguous;
};

// Fills catalog.objects[i].annotation and .data_annotation (clearing any
// previous ones) and
// reports what stays ambiguous. Deterministic: the result does not depend
// on the order of catalog.symbols. Object ids outside catalog.objects are
// treated as unattributed.
DisambiguationReport Disambiguate(Catalog& catalog);

// The part of a /proc/kallmodsyms line after the name: "\t[mod1] [mod2]
// {obj.o}", "\t{core.o}", "\t[rapl]" or "": the symbol's modules and its
// object's annotation for its kind, for every symbol type. Text symbols
// print as /proc/kallmodsyms prints them; data symbols, which the kernel
// leaves bare, carry the same qualifiers so that their names are unique too.
std::string KallmodsymsSuffix(const Catalog& catalog, const Symbol& symbol);

// "name [mod1] [mod2] {obj.o}" with single spaces: the suffix above with the
// tab replaced by a space. Unique among the symbols of its kind except the
// ones Disambiguate() reports.
std::string QualifiedName(const Catalog& catalog, const Symbol& symbol);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_DISAMBIGUATION_DISAMBIGUATE_H_
