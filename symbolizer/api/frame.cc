#include "symbolizer/api/frame.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/api/text_policy.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/past_size.h"

namespace ksym {

void AppendFrameText(const Symbolizer& s, const SymbolInfo& symbol,
                     uint64_t offset, std::string* out, ObjectForm form) {
  const size_t start = out->size();
  absl::StrAppend(out, symbol.name(), "+0x", absl::Hex(offset), "/0x",
                  absl::Hex(s.KernelLength(symbol)));
  absl::string_view obj = s.DisplayObject(symbol);
  if (!obj.empty() && form == ObjectForm::kFullPath) {
    obj = s.index().ObjectPath(symbol.object);
  }
  AppendQualifiers(s.DisplayModules(symbol), obj, out);
  out->append(AmbiguityMarker(s, symbol));
  // Past its size: named by the kernel's rule, and said so.
  out->append(PastSizeMarker(s, symbol, offset));
  // Names and paths come from the index's inputs: nothing of them reaches
  // a terminal raw.
  const absl::string_view added = absl::string_view(*out).substr(start);
  if (!IsPrintable(added)) {
    const std::string escaped = EscapeControlBytes(added);
    out->replace(start, std::string::npos, escaped);
  }
}

std::string ResolvedText(const Symbolizer& s, const SymbolInfo& symbol) {
  return EscapeControlBytes(
      absl::StrCat(s.QualifiedName(symbol), AmbiguityMarker(s, symbol)));
}

std::string ResolvedText(const Symbolizer& s, const Candidate& c) {
  std::string out = ResolvedText(s, c.symbol);
  if (c.length_match != LengthMatch::kNotAsked) {
    absl::StrAppend(&out, " (LEN matched ", LengthMatchText(c.length_match),
                    ")");
  }
  return out;
}

std::string ListLine(const Symbolizer& s, const SymbolInfo& symbol) {
  std::string line = s.KallmodsymsLine(symbol);
  // "ADDRESS T NAME" then, when there are qualifiers, a tab and
  // "[mod] {obj}": control bytes of the name and of the qualifiers are
  // escaped, the one separating tab kept.
  constexpr size_t kNameStart = 19;  // 16 hex digits, ' ', type, ' '
  const size_t name_end = kNameStart + symbol.name().size();
  if (line.size() >= name_end) {
    const bool has_tab = line.size() > name_end && line[name_end] == '\t';
    line = absl::StrCat(
        line.substr(0, kNameStart),
        EscapeControlBytes(
            absl::string_view(line).substr(kNameStart, name_end - kNameStart)),
        has_tab ? "\t" : "",
        EscapeControlBytes(
            absl::string_view(line).substr(name_end + (has_tab ? 1 : 0))));
  }
  absl::StrAppend(&line, EscapeControlBytes(AmbiguityMarker(s, symbol)));
  return line;
}

std::string FrameText(const Symbolizer& s, const SymbolInfo& symbol,
                      uint64_t offset, ObjectForm form) {
  std::string out;
  AppendFrameText(s, symbol, offset, &out, form);
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
