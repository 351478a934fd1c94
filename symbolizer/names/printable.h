// Untrusted bytes made safe to print, once for every layer that prints or
// builds a message: a symbol name, object path or release from a hostile
// kallsyms, ELF or root, or a query a user typed, must not drive a
// terminal (ESC, BEL, C1 controls), split a line, or emit bytes that are
// not UTF-8.
//
//   EscapeUnprintable("bad\xff""name")      // bad\xffname
//   EscapeUnprintable("caf\xc3\xa9")         // café (valid UTF-8 kept)
//   QuoteBounded("x\x1b[2J", 200)            // x\x1b[2J
//   QuoteBounded(std::string(300, 'a'), 200) // aaa...a... (300 bytes)
//
// The escape is reversible: '\' itself is written \x5c.
#ifndef KSYM_SYMBOLIZER_NAMES_PRINTABLE_H_
#define KSYM_SYMBOLIZER_NAMES_PRINTABLE_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace ksym {

// The most input bytes a message echoes.
inline constexpr size_t kMaxEchoed = 200;

// Whether `text` needs no escape: valid UTF-8 without control characters
// (C0, DEL, C1) or '\'.
bool IsPrintable(absl::string_view text);

// `text` with every control character (C0 below 0x20, DEL, and the C1
// controls U+0080..U+009F), '\', and every byte that is not part of a
// valid UTF-8 sequence written as \xNN (each byte of it).
std::string EscapeUnprintable(absl::string_view text);

// EscapeUnprintable of at most the first `max_bytes` bytes of `text`, with
// '"' escaped too (the result goes between quotes), and "... (N bytes)"
// after it when `text` was longer: echoed input stays one short line.
std::string QuoteBounded(absl::string_view text, size_t max_bytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_NAMES_PRINTABLE_H_
