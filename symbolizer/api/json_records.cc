#include "symbolizer/api/json_records.h"

#include "absl/strings/str_cat.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/past_size.h"
#include "symbolizer/api/static_address.h"
#include "symbolizer/attribution/builtin_inference.h"

namespace ksym {

std::string JsonAddress(uint64_t address) {
  return absl::StrCat("0x", absl::Hex(address));
}

void AddSymbolFields(const Symbolizer& s, const SymbolInfo& symbol,
                     JsonLine& j) {
  j.Field("name", symbol.name())
      .Field("qualified", s.QualifiedName(symbol))
      .Field("start", JsonAddress(symbol.address))
      .Field("size", symbol.size)
      .Bool("size_exact", symbol.size_exact)
      .Field("kernel_length", s.KernelLength(symbol))
      .Field("type", absl::string_view(&symbol.type, 1))
      .Strings("modules", s.DisplayModules(symbol));
  // Which rule inferred the built-in module, when it is not a fact.
  const uint8_t rule = s.index().ObjectModuleRule(symbol.object);
  if (rule != 0 && rule < kInferenceRuleCount &&
      !s.DisplayModules(symbol).empty()) {
    j.Field("modules_inferred", InferenceRuleName(static_cast<InferenceRule>(rule)));
  } else {
    j.Null("modules_inferred");
  }
  absl::string_view obj = s.index().ObjectPath(symbol.object);
  if (obj.empty()) {
    j.Null("object");
  } else {
    j.Field("object", obj);
  }
  absl::string_view ann = s.DisplayObject(symbol);
  if (ann.empty()) {
    j.Null("annotation");
  } else {
    j.Field("annotation", ann);
  }
  const NameAmbiguity a = Ambiguity(s, symbol);
  j.Bool("unique", a.unique).Field("candidates", a.candidates);
  if (!a.unique) j.Field("select", a.query);
  if (s.index().address_space() == AddressSpace::kRuntime) {
    std::optional<uint64_t> st = StaticStart(s, symbol);
    if (st) {
      j.Field("static_start", JsonAddress(*st));
    } else {
      j.Null("static_start");
    }
  }
}

std::string LookupJson(const Symbolizer& s, uint64_t address,
                       const SymbolInfo& symbol, uint64_t offset,
                       const SourceLines* lines) {
  JsonLine j;
  j.Field("address", JsonAddress(address)).Bool("found", true);
  AddSymbolFields(s, symbol, j);
  j.Field("offset", offset);
  // Past its size (the padding after a nested label): named by the
  // kernel's rule; what covers the address by ELF sizes is said.
  if (std::optional<SymbolInfo> outer = EnclosingPastSize(s, symbol, offset)) {
    j.Bool("past_size", true).Field("enclosing", s.QualifiedName(*outer));
  }
  if (lines != nullptr) AddSourceLineFields(*lines, j);
  return j.Finish();
}

std::string NotFoundJson(uint64_t address, NotFoundReason reason) {
  JsonLine j;
  j.Field("address", JsonAddress(address))
      .Bool("found", false)
      .Field("reason", NotFoundReasonText(reason));
  return j.Finish();
}

std::string ResolveJson(const Symbolizer& s, absl::string_view query,
                        absl::Span<const Candidate> candidates) {
  std::string list = "[";
  for (const Candidate& c : candidates) {
    JsonLine j;
    AddSymbolFields(s, c.symbol, j);
    j.Field("target", JsonAddress(c.address));
    if (c.length_match != LengthMatch::kNotAsked) {
      j.Field("length_matched", c.length_match == LengthMatch::kElfSize
                                    ? "elf_size"
                                    : "kernel");
    }
    if (list.size() > 1) list.push_back(',');
    list += j.Finish();
  }
  list.push_back(']');
  JsonLine j;
  j.Field("query", query).Raw("candidates", list);
  return j.Finish();
}

}  // namespace ksym
