// Strict checks of the small tokens every text parser reads, kept once:
// hex numbers as the kernel and the toolchain print them, and UTF-8.
//
//   uint64_t v;
//   ParseHexDigits("ffffffff81000000", &v);  // true
//   ParseHexDigits("0x1", &v);               // false: digits only
//   ParsePrefixedHex("0x0x1", &v);           // false (SimpleHexAtoi: 1)
//
// absl::SimpleHexAtoi alone also takes a "0x" prefix, a sign and
// surrounding spaces, so "0x0x1" would read as 1 after stripping "0x".
#ifndef KSYM_SYMBOLIZER_SOURCES_STRICT_TEXT_H_
#define KSYM_SYMBOLIZER_SOURCES_STRICT_TEXT_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace ksym {

// 1 to 16 hex digits (either case), nothing else.
inline bool ParseHexDigits(absl::string_view s, uint64_t* value) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *value = v;
  return true;
}

// "0x" or "0X" followed by 1 to 16 hex digits, nothing else.
inline bool ParsePrefixedHex(absl::string_view s, uint64_t* value) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
         ParseHexDigits(s.substr(2), value);
}

// An optional "0x"/"0X" and 1 to 16 hex digits (addresses typed by a user
// or printed either way).
inline bool ParseOptionallyPrefixedHex(absl::string_view s, uint64_t* value) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
  }
  return ParseHexDigits(s, value);
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0. ASCII bytes are 1.
inline size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    if (i + k >= s.size()) return false;
    const unsigned char b = static_cast<unsigned char>(s[i + k]);
    return b >= lo && b <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Whether `s` has a byte that kallsyms-style lines cannot carry inside a
// name: a space or other byte <= ' ', or DEL (names, module names and
// paths are printed space-separated, one a line).
inline bool HasBlankOrControl(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return true;
  }
  return false;
}

// Offset of the first byte that is not part of well-formed UTF-8, or npos.
inline size_t FirstInvalidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return i;
    i += n;
  }
  return absl::string_view::npos;
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_STRICT_TEXT_H_
