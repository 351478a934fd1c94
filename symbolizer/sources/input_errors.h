// The errors of the text parsers, kept once: "FILE:LINE: what", with the
// offending input quoted so that any byte shows and a long line stays short.
//
//   return LineError("System.map", 7,
//                    absl::StrCat(QuoteInput(line), " is not ADDRESS TYPE NAME"));
//   // System.map:7: "ffffffff81000000 T" is not ADDRESS TYPE NAME
#ifndef KSYM_SYMBOLIZER_SOURCES_INPUT_ERRORS_H_
#define KSYM_SYMBOLIZER_SOURCES_INPUT_ERRORS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ksym {

// Messages quote at most this many bytes of an offending token or line.
inline constexpr size_t kMaxQuotedInput = 80;

// `s` in double quotes with C escapes ("a\tb", "\xff"); past
// kMaxQuotedInput bytes cut, with "..." after the closing quote.
inline std::string QuoteInput(absl::string_view s) {
  const bool truncated = s.size() > kMaxQuotedInput;
  if (truncated) s = s.substr(0, kMaxQuotedInput);
  return absl::StrCat("\"", absl::CHexEscape(s), truncated ? "\"..." : "\"");
}

// InvalidArgument "FILE:LINE: what" (line 1-based).
inline absl::Status LineError(absl::string_view file, size_t line,
                              absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ": ", what));
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_INPUT_ERRORS_H_
