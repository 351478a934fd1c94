#include "symbolizer/names/printable.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

// Length of the valid UTF-8 sequence at text[i] that is not a control
// character, or 0 when the byte there must be escaped.
size_t PrintableSequence(absl::string_view text, size_t i, bool escape_quote) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    if (c < 0x20 || c == 0x7f || c == '\\') return 0;
    if (escape_quote && c == '"') return 0;
    return 1;
  }
  size_t n;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;  // a continuation byte, or never valid (C0, C1, F5..FF)
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char t = static_cast<unsigned char>(text[i + k]);
    if ((t & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (t & 0x3f);
  }
  // Overlong forms, surrogates, past U+10FFFF, and the C1 controls.
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
      (cp >= 0x80 && cp <= 0x9f)) {
    return 0;
  }
  return n;
}

void AppendEscaped(absl::string_view text, bool escape_quote,
                   std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = PrintableSequence(text, i, escape_quote);
    if (n == 0) {
      absl::StrAppendFormat(out, "\\x%02x",
                            static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out->append(text.data() + i, n);
      i += n;
    }
  }
}

}  // namespace

bool IsPrintable(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = PrintableSequence(text, i, false);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string EscapeUnprintable(absl::string_view text) {
  if (IsPrintable(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  AppendEscaped(text, false, &out);
  return out;
}

std::string QuoteBounded(absl::string_view text, size_t max_bytes) {
  std::string out;
  AppendEscaped(text.substr(0, max_bytes), true, &out);
  if (text.size() > max_bytes) {
    absl::StrAppend(&out, "... (", text.size(), " bytes)");
  }
  return out;
}

}  // namespace ksym
