#include "symbolizer/api/index_info.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/format.h"
#include "symbolizer/names/printable.h"

namespace ksym {
namespace {

const char* SpaceName(const IndexReader& r) {
  return r.address_space() == AddressSpace::kRuntime ? "runtime" : "static";
}

}  // namespace

IndexInfo ComputeIndexInfo(const Symbolizer& s) {
  IndexInfo info;
  const uint64_t n = s.index().symbol_count();
  info.symbols = n;
  absl::flat_hash_map<std::string, uint32_t> plain, data;
  for (uint64_t i = 0; i < n; ++i) {
    SymbolInfo sym = s.Symbol(static_cast<uint32_t>(i));
    info.exact_sizes += sym.size_exact;
    if (NameKindOf(sym.type) == NameKind::kData) {
      info.data_with_object += sym.object != format::kNoObjectId;
      ++data[std::string(sym.name())];
      continue;
    }
    ++info.text_symbols;
    info.text_with_module += sym.module_set != kNoModules;
    info.text_with_object += sym.object != format::kNoObjectId;
    if (sym.module_set != kNoModules) {
      const uint8_t rule = s.index().ObjectModuleRule(sym.object);
      if (rule != 0 && rule < kInferenceRuleCount) {
        ++info.text_with_inferred_module;
        ++info.text_inferred_by_rule[rule];
      }
    }
    // __pfx_ padding repeats with its function: not counted apart.
    if (!IsPaddingSymbol(sym.name())) ++plain[std::string(sym.name())];
  }
  info.data_symbols = n - info.text_symbols;
  for (const auto& [k, v] : plain) info.duplicate_text_names += v > 1;
  for (const auto& [k, v] : data) info.duplicate_data_names += v > 1;
  // One kind's symbols sharing a qualified name (ambiguity_report.h).
  info.groups = AmbiguousGroups(s);
  for (const AmbiguousGroup& g : info.groups) {
    info.ambiguous.push_back(g.qualified);
    ++info.ambiguous_qualified_names;
    info.ambiguous_symbols += g.symbols.size();
  }
  return info;
}

namespace {

// The reason with every run of digits read as N: groups that differ only
// in their counts share it.
std::string ReasonKey(absl::string_view reason) {
  std::string key;
  for (size_t i = 0; i < reason.size(); ++i) {
    if (absl::ascii_isdigit(reason[i])) {
      key.push_back('N');
      while (i + 1 < reason.size() && absl::ascii_isdigit(reason[i + 1])) ++i;
    } else {
      key.push_back(reason[i]);
    }
  }
  return key;
}

void AppendGroupedAmbiguity(const IndexInfo& info, std::string* out) {
  struct Group {
    std::vector<std::string> names;
    size_t symbols = 0;
    size_t padding = 0;  // __pfx_NAME folded into NAME
  };
  std::vector<std::pair<std::string, Group>> groups;  // first-seen order
  absl::flat_hash_map<std::string, size_t> where;
  absl::flat_hash_set<std::string> names;
  for (const AmbiguousGroup& g : info.groups) names.insert(g.qualified);
  for (const AmbiguousGroup& g : info.groups) {
    const std::string key = ReasonKey(g.reason);
    auto [it, added] = where.try_emplace(key, groups.size());
    if (added) groups.push_back({key, Group{}});
    Group& group = groups[it->second].second;
    group.symbols += g.symbols.size();
    if (absl::StartsWith(g.qualified, "__pfx_") &&
        names.contains(g.qualified.substr(6))) {
      ++group.padding;
      continue;
    }
    group.names.push_back(g.qualified);
  }
  for (const auto& [reason, g] : groups) {
    absl::StrAppendFormat(out, "  ambiguous:   %u names (%u symbols)%s: %s\n",
                          g.names.size() + g.padding, g.symbols,
                          g.padding ? absl::StrFormat(", %u of them __pfx_ "
                                                      "padding of the others",
                                                      g.padding)
                                    : "",
                          EscapeUnprintable(reason));
    std::vector<std::string> shown;
    for (size_t k = 0; k < std::min(g.names.size(), kListedPerReason); ++k) {
      shown.push_back(EscapeUnprintable(g.names[k]));
    }
    absl::StrAppend(out, "               ", absl::StrJoin(shown, ", "),
                    g.names.size() > shown.size() ? ", ..." : "", "\n");
  }
}

}  // namespace

std::string IndexInfoText(const Symbolizer& s, const IndexInfo& info,
                          bool all_ambiguous) {
  const IndexReader& r = s.index();
  const uint64_t n = info.symbols;
  std::string out;
  absl::StrAppendFormat(
      &out, "kernel:        %s  build-id %s  %s\n",
      r.release().empty() ? "(unknown release)" : EscapeUnprintable(r.release()),
      r.build_id().empty() ? "(unknown)" : EscapeUnprintable(r.build_id()),
      EscapeUnprintable(r.arch()));
  if (r.kaslr_offset_known()) {
    absl::StrAppendFormat(&out, "addresses:     %s, KASLR offset 0x%x\n",
                          SpaceName(r),
                          static_cast<unsigned long long>(r.kaslr_offset()));
  } else {
    absl::StrAppendFormat(&out, "addresses:     %s, KASLR offset unknown\n",
                          SpaceName(r));
  }
  for (const IndexReader::Source& src : r.sources()) {
    absl::StrAppendFormat(&out, "  source      %-24s %-8s %s%s%s\n", src.what,
                          SourceStateName(src.state),
                          src.path.empty() ? "-" : EscapeUnprintable(src.path),
                          src.why.empty() ? "" : ": ",
                          EscapeUnprintable(src.why));
  }
  absl::StrAppendFormat(&out,
                        "symbols:       %u (%u text), %u with exact sizes\n",
                        n, info.text_symbols, info.exact_sizes);
  absl::StrAppendFormat(&out,
                        "attribution:   %u text symbols with a module, %u "
                        "with an object; %u module sets, %u objects\n",
                        info.text_with_module, info.text_with_object,
                        r.module_set_count() - 1, r.object_count());
  if (info.text_with_inferred_module > 0) {
    std::string rules;
    for (size_t k = 1; k < kInferenceRuleCount; ++k) {
      if (info.text_inferred_by_rule[k] == 0) continue;
      absl::StrAppend(&rules, rules.empty() ? "" : ", ",
                      InferenceRuleName(static_cast<InferenceRule>(k)), " ",
                      info.text_inferred_by_rule[k]);
    }
    absl::StrAppendFormat(&out,
                          "inferred:      %u text symbols carry an inferred "
                          "built-in module (%s)\n",
                          info.text_with_inferred_module, rules);
  }
  absl::StrAppendFormat(&out,
                        "duplicates:    %u text names occur more than once, "
                        "%u data names; %u qualified names still do (%u "
                        "symbols)\n",
                        info.duplicate_text_names, info.duplicate_data_names,
                        info.ambiguous_qualified_names,
                        info.ambiguous_symbols);
  if (all_ambiguous) {
    for (const AmbiguousGroup& g : info.groups) {
      absl::StrAppendFormat(&out, "  ambiguous:   %s (%u symbols): %s\n",
                            EscapeUnprintable(g.qualified), g.symbols.size(),
                            EscapeUnprintable(g.reason));
    }
  } else {
    AppendGroupedAmbiguity(info, &out);
  }
  if (!info.groups.empty()) {
    out += all_ambiguous
               ? "  (`ksym why NAME` shows each symbol and what would "
                 "separate them)\n"
               : "  (`ksym info --all-ambiguous` lists every name; `ksym why "
                 "NAME` shows each symbol and what would separate them)\n";
  }
  absl::StrAppendFormat(&out, "index:         %u bytes, %.1f bytes/symbol\n",
                        r.file_size(),
                        n ? static_cast<double>(r.file_size()) / n : 0.0);
  for (const auto& g : r.segments()) {
    absl::StrAppendFormat(&out,
                          "  segment      base 0x%016x  %u symbols from #%u\n",
                          g.base, g.count, g.first);
  }
  for (const SectionInfo& x : r.sections()) {
    absl::StrAppendFormat(
        &out, "  section      %-16s %10u bytes  %5.2f bytes/symbol\n", x.name,
        x.size, n ? static_cast<double>(x.size) / n : 0.0);
  }
  return out;
}

std::string IndexInfoJson(const Symbolizer& s, const IndexInfo& info) {
  const IndexReader& r = s.index();
  std::string segs = "[", secs = "[", amb = "[", sources = "[";
  for (const IndexReader::Source& src : r.sources()) {
    JsonLine j;
    j.Field("what", src.what)
        .Field("state", SourceStateName(src.state))
        .Field("path", src.path)
        .Field("why", src.why);
    if (sources.size() > 1) sources.push_back(',');
    sources += j.Finish();
  }
  sources.push_back(']');
  for (const auto& g : r.segments()) {
    JsonLine j;
    j.Field("base", JsonAddress(g.base))
        .Field("first", g.first)
        .Field("count", g.count);
    if (segs.size() > 1) segs.push_back(',');
    segs += j.Finish();
  }
  for (const SectionInfo& x : r.sections()) {
    JsonLine j;
    j.Field("name", x.name).Field("offset", x.offset).Field("size", x.size);
    if (secs.size() > 1) secs.push_back(',');
    secs += j.Finish();
  }
  std::string reasons = "[";
  for (const std::string& q : info.ambiguous) {
    if (amb.size() > 1) amb.push_back(',');
    AppendJsonString(&amb, q);
  }
  for (const AmbiguousGroup& g : info.groups) {
    JsonLine j;
    j.Field("qualified", g.qualified)
        .Field("symbols", g.symbols.size())
        .Field("reason", g.reason)
        .Field("remedy", g.remedy);
    if (reasons.size() > 1) reasons.push_back(',');
    reasons += j.Finish();
  }
  reasons.push_back(']');
  JsonLine rules;
  for (size_t k = 1; k < kInferenceRuleCount; ++k) {
    if (info.text_inferred_by_rule[k] == 0) continue;
    rules.Field(InferenceRuleName(static_cast<InferenceRule>(k)),
                info.text_inferred_by_rule[k]);
  }
  segs.push_back(']');
  secs.push_back(']');
  amb.push_back(']');
  JsonLine j;
  j.Field("release", r.release())
      .Field("build_id", r.build_id())
      .Field("arch", r.arch())
      .Field("address_space", SpaceName(r))
      .Raw("sources", sources);
  if (r.kaslr_offset_known()) {
    j.Field("kaslr_offset",
            JsonAddress(static_cast<uint64_t>(r.kaslr_offset())));
  } else {
    j.Null("kaslr_offset");
  }
  j
      .Field("file_size", r.file_size())
      .Field("symbols", info.symbols)
      .Field("text_symbols", info.text_symbols)
      .Field("exact_sizes", info.exact_sizes)
      .Field("text_with_module", info.text_with_module)
      .Field("text_with_object", info.text_with_object)
      .Field("text_with_inferred_module", info.text_with_inferred_module)
      .Raw("inferred_module_rules", rules.Finish())
      .Field("module_sets", r.module_set_count() - 1)
      .Field("objects", r.object_count())
      .Field("duplicate_text_names", info.duplicate_text_names)
      .Field("data_symbols", info.data_symbols)
      .Field("data_with_object", info.data_with_object)
      .Field("duplicate_data_names", info.duplicate_data_names)
      .Field("ambiguous_qualified_names", info.ambiguous_qualified_names)
      .Raw("ambiguous", amb)
      .Raw("ambiguous_reasons", reasons)
      .Raw("segments", segs)
      .Raw("sections", secs);
  return j.Finish();
}

}  // namespace ksym
