#include "symbolizer/rewriter/kernel_offset.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace ksym {
namespace {

constexpr absl::string_view kPrefix = "Kernel Offset: ";

// "0x" and 1 to 16 hex digits, ended by the end of `text` or a blank;
// consumed from `text`.
bool ConsumeHex(absl::string_view* text, uint64_t* value) {
  if (!absl::ConsumePrefix(text, "0x")) return false;
  size_t n = 0;
  while (n < text->size() && absl::ascii_isxdigit((*text)[n])) ++n;
  if (n == 0 || n > 16) return false;
  if (n < text->size() && (*text)[n] != ' ') return false;
  if (!absl::SimpleHexAtoi(text->substr(0, n), value)) return false;
  text->remove_prefix(n);
  return true;
}

}  // namespace

std::optional<KernelOffsetLine> ParseKernelOffsetLine(absl::string_view line) {
  const size_t at = line.find(kPrefix);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = line.substr(at + kPrefix.size());
  rest = absl::StripTrailingAsciiWhitespace(rest);
  KernelOffsetLine k;
  if (rest == "disabled") {
    k.disabled = true;
    return k;
  }
  if (!ConsumeHex(&rest, &k.offset)) return std::nullopt;
  if (!absl::ConsumePrefix(&rest, " from ")) return std::nullopt;
  if (!ConsumeHex(&rest, &k.from)) return std::nullopt;
  if (!rest.empty() && !absl::StartsWith(rest, " (relocation range: ")) {
    return std::nullopt;
  }
  return k;
}

}  // namespace ksym
