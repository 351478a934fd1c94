#include "symbolizer/rewriter/unplaced.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "symbolizer/api/text_policy.h"
#include "symbolizer/rewriter/frame_parser.h"

namespace ksym {

std::string UnplacedNote(absl::string_view reason) {
  return absl::StrCat(kUnplacedNotePrefix, reason, ")");
}

namespace {

// Whether any symbol of the index is in `module` (a module set naming it:
// loadable, or built-in as kallmodsyms writes it) or the index records it
// as a loaded module.
bool IndexHasModule(const IndexReader& index, absl::string_view module) {
  for (uint32_t k = 0; k < index.module_count(); ++k) {
    if (index.ModuleAt(k).name == module) return true;
  }
  for (uint32_t set = 0; set < index.module_set_count(); ++set) {
    for (size_t j = 0; j < index.ModuleSetSize(set); ++j) {
      if (index.ModuleName(set, j) == module) return true;
    }
  }
  return false;
}

}  // namespace

std::string UnplacedReason(const Symbolizer& s, const Query& q,
                           bool without_loadable) {
  const std::string name = EscapeControlBytes(q.name);
  for (const std::string& module : q.modules) {
    if (!IndexHasModule(s.index(), module)) {
      return absl::StrCat("the index has no module ", EscapeControlBytes(module),
                          s.index().address_space() == AddressSpace::kStatic
                              ? " (a static index holds the kernel image only)"
                              : "");
    }
  }
  Query by_name;
  by_name.name = q.name;
  std::vector<Candidate> named = s.Resolve(by_name);
  if (named.empty()) {
    return absl::StrCat("no symbol named ", name, " in the index");
  }
  if (without_loadable) {
    const IndexReader& index = s.index();
    if (q.length) {
      for (const Candidate& c : named) {
        if (index.ModuleSetLoadable(c.symbol.module_set) &&
            (s.KernelLength(c.symbol) == *q.length ||
             (c.symbol.size_exact && c.symbol.size == *q.length))) {
          return absl::StrCat("the ", name, " 0x", absl::Hex(*q.length),
                              " long is in ",
                              EscapeControlBytes(s.QualifiedName(c.symbol)),
                              ", a loadable module, and the frame names no "
                              "[module] (the kernel would have)");
        }
      }
    }
    named.erase(std::remove_if(named.begin(), named.end(),
                               [&](const Candidate& c) {
                                 return index.ModuleSetLoadable(
                                     c.symbol.module_set);
                               }),
                named.end());
    if (named.empty()) {
      return absl::StrCat(name,
                          " is only in loadable modules and the frame names "
                          "no [module]");
    }
  }
  if (!q.modules.empty() || !q.object.empty()) {
    Query qualified = by_name;
    qualified.modules = q.modules;
    qualified.object = q.object;
    if (s.Resolve(qualified).empty()) {
      std::vector<std::string> names;
      for (const Candidate& c : named) names.push_back(s.QualifiedName(c.symbol));
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      if (names.size() > 4) names.resize(4), names.push_back("...");
      return absl::StrCat("no ", name, " with these qualifiers; the index has ",
                          EscapeControlBytes(absl::StrJoin(names, ", ")));
    }
  }
  if (q.offset && q.length && *q.offset > *q.length) {
    return absl::StrCat("offset 0x", absl::Hex(*q.offset),
                        " is past the length 0x", absl::Hex(*q.length));
  }
  // The lengths the kernel would print for each copy (%pS), then, when none
  // is LEN, that is the reason.
  std::vector<uint64_t> lengths;
  for (const Candidate& c : named) lengths.push_back(s.KernelLength(c.symbol));
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  auto hex_list = [&lengths]() {
    std::vector<std::string> h;
    for (uint64_t l : lengths) {
      if (h.size() == 6) {
        h.push_back("...");
        break;
      }
      h.push_back(absl::StrCat("0x", absl::Hex(l)));
    }
    return absl::StrJoin(h, ", ");
  };
  if (q.length) {
    return absl::StrCat("no ", name, " is 0x", absl::Hex(*q.length),
                        " long; the index has ", hex_list());
  }
  if (q.offset) {
    return absl::StrCat("offset 0x", absl::Hex(*q.offset), " is past every ",
                        name, " (", hex_list(), ")");
  }
  return absl::StrCat("no ", name, " matches");
}

}  // namespace ksym
