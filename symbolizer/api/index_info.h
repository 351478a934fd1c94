// What an index holds, as `ksym info` shows it: kernel identity, symbol
// counts, duplicate names before and after disambiguation (and the
// qualified names still ambiguous), address segments, section sizes.
//
//   IndexInfo info = ComputeIndexInfo(s);   // one pass over the symbols
//   fputs(IndexInfoText(s, info).c_str(), stdout);
//   puts(IndexInfoJson(s, info).c_str());
#ifndef KSYM_SYMBOLIZER_API_INDEX_INFO_H_
#define KSYM_SYMBOLIZER_API_INDEX_INFO_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "symbolizer/api/ambiguity_report.h"
#include "symbolizer/attribution/builtin_inference.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct IndexInfo {
  uint64_t symbols = 0;
  uint64_t text_symbols = 0;
  uint64_t exact_sizes = 0;
  uint64_t text_with_module = 0;
  uint64_t text_with_object = 0;
  // Text symbols whose built-in module was inferred (format.h
  // kModuleRules), in total and by InferenceRule.
  uint64_t text_with_inferred_module = 0;
  std::array<uint64_t, kInferenceRuleCount> text_inferred_by_rule{};
  // Text names that occur more than once.
  uint64_t duplicate_text_names = 0;
  // Data symbols (every type but t T w W), those with an object, and data
  // names that occur more than once.
  uint64_t data_symbols = 0;
  uint64_t data_with_object = 0;
  uint64_t duplicate_data_names = 0;
  // Qualified names that still do among the symbols of one kind (text or
  // data), and how many symbols carry them.
  uint64_t ambiguous_qualified_names = 0;
  uint64_t ambiguous_symbols = 0;
  std::vector<std::string> ambiguous;  // those names, sorted
  // The same names with their symbols and why they stay ambiguous
  // (ambiguity_report.h), in the same order.
  std::vector<AmbiguousGroup> groups;
};

IndexInfo ComputeIndexInfo(const Symbolizer& s);

// The `ksym info` text: several lines, each ending in a newline. The
// names still ambiguous are grouped by reason (counts in the reason read
// as N), a `__pfx_NAME` padding symbol folded into its NAME, and at most
// kListedPerReason names listed per group; `all_ambiguous` lists every
// name on its own line with its reason instead.
inline constexpr size_t kListedPerReason = 8;
std::string IndexInfoText(const Symbolizer& s, const IndexInfo& info,
                          bool all_ambiguous = false);
// The `ksym info --json` object (one line, no newline): release, build_id,
// arch, address_space, sources ([{what,state,path,why}], state "found",
// "missing" or "rejected"), kaslr_offset (null when unknown), file_size,
// symbols, text_symbols, exact_sizes, text_with_module, text_with_object,
// text_with_inferred_module, inferred_module_rules ({"initcall":N,...},
// rules with N > 0), module_sets, objects,
// duplicate_text_names, data_symbols, data_with_object,
// duplicate_data_names, ambiguous_qualified_names, ambiguous (array),
// ambiguous_reasons ([{qualified,symbols,reason,remedy}]),
// segments ([{base,first,count}]), sections ([{name,offset,size}]).
std::string IndexInfoJson(const Symbolizer& s, const IndexInfo& info);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_INDEX_INFO_H_
