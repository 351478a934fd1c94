#include "symbolizer/api/frame.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/query/ambiguity.h"

namespace ksym {

void AppendFrameText(const Symbolizer& s, const SymbolInfo& symbol,
                     uint64_t offset, std::string* out) {
  absl::StrAppend(out, symbol.name(), "+0x", absl::Hex(offset), "/0x",
                  absl::Hex(symbol.size));
  for (absl::string_view m : s.DisplayModules(symbol)) {
    absl::StrAppend(out, " [", m, "]");
  }
  absl::string_view obj = s.DisplayObject(symbol);
  if (!obj.empty()) absl::StrAppend(out, " {", obj, "}");
  out->append(AmbiguityMarker(s, symbol));
}

std::string ResolvedText(const Symbolizer& s, const SymbolInfo& symbol) {
  return absl::StrCat(s.QualifiedName(symbol), AmbiguityMarker(s, symbol));
}

std::string ListLine(const Symbolizer& s, const SymbolInfo& symbol) {
  return absl::StrCat(s.KallmodsymsLine(symbol), AmbiguityMarker(s, symbol));
}

std::string FrameText(const Symbolizer& s, const SymbolInfo& symbol,
                      uint64_t offset) {
  std::string out;
  AppendFrameText(s, symbol, offset, &out);
  return out;
}

std::string NotFoundFrameText(NotFoundReason reason) {
  return absl::StrCat("?? (", NotFoundReasonText(reason), ")");
}

std::string FrameText(const Symbolizer& s, const LookupResult& result) {
  if (!result.found) return NotFoundFrameText(result.reason);
  return FrameText(s, result.symbol, result.offset);
}

std::string AddressText(uint64_t address) {
  return absl::StrFormat("%016x", address);
}

std::string AddressLine(uint64_t address, absl::string_view text) {
  return absl::StrCat(AddressText(address), " ", text);
}

}  // namespace ksym
