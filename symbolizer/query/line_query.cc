#include "symbolizer/query/line_query.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/names/printable.h"

namespace ksym {
namespace {

absl::Status Error(absl::string_view query, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "query \"", QuoteBounded(query, kMaxEchoed), "\": ", what));
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::string LineQuery::ToString() const {
  return absl::StrCat(file.empty() ? function : file, ":", line);
}

bool IsLineQuery(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  const absl::string_view before = text.substr(0, colon);
  const absl::string_view after = text.substr(colon + 1);
  if (after.empty() || !std::all_of(after.begin(), after.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  return std::none_of(before.begin(), before.end(), [](char c) {
    return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '[' ||
           c == ']' || c == '{' || c == '}' || c == '@' || c == '+' ||
           c == ':';
  });
}

absl::StatusOr<LineQuery> ParseLineQuery(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (!IsLineQuery(text)) {
    return Error(text, "expected FILE:LINE or FUNC:REL_LINE");
  }
  const size_t colon = text.rfind(':');
  const absl::string_view before = text.substr(0, colon);
  LineQuery q;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &q.line)) {
    return Error(text, "line number too large");
  }
  if (before.find_first_of("./") != absl::string_view::npos) {
    if (absl::EndsWith(before, "/")) {
      return Error(text, "FILE ends in '/': expected a source file");
    }
    absl::string_view file = before;
    while (absl::ConsumePrefix(&file, "./")) {
    }
    if (file.empty()) return Error(text, "expected a source file before ':'");
    q.file = std::string(file);
    if (q.line == 0) return Error(text, "line 0 has no code (lines count from 1)");
  } else {
    if (!IsIdentifier(before)) {
      return Error(text, "FUNC:REL_LINE needs a C function name before ':'");
    }
    q.function = std::string(before);
  }
  return q;
}

bool SourcePathSuffixMatches(absl::string_view path, absl::string_view suffix) {
  while (absl::ConsumePrefix(&suffix, "./")) {
  }
  if (suffix.empty() || !absl::EndsWith(path, suffix)) return false;
  if (path.size() == suffix.size() || suffix[0] == '/') return true;
  return path[path.size() - suffix.size() - 1] == '/';
}

}  // namespace ksym
