// What a front end does with untrusted text, once for all of them: reading
// lines with a bound, parsing an address, quoting input back in a message
// and escaping control bytes of names it prints. The CLI's lookup and resolve read stdin through
// ForEachInputLine; every message that echoes input quotes it with
// QuoteForMessage.
//
//   uint64_t a;
//   ParseAddressText("0xffffffff81000000", &a);  // true
//   ParseAddressText("0x0x1", &a);               // false
//   QuoteForMessage("a\x1b[2J");                 // a\x1b[2J (escaped)
#ifndef KSYM_SYMBOLIZER_API_TEXT_POLICY_H_
#define KSYM_SYMBOLIZER_API_TEXT_POLICY_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "symbolizer/names/printable.h"
#include "symbolizer/rewriter/kernel_offset.h"

namespace ksym {

// The longest input line a front end reads (1 MiB): a longer one is skipped
// (lookup, resolve) or copied unchanged (symbolize) with a message, so one
// huge line cannot cost memory without bound.
inline constexpr size_t kMaxInputLine = size_t{1} << 20;

// Calls f(line, number) for each line of `in` (without its '\n'; number is
// 1-based) and on_too_long(number) for each line longer than `max_line`,
// which is skipped without being held whole. Returns the number of lines
// skipped. A final line without '\n' counts.
uint64_t ForEachInputLine(
    std::FILE* in,
    const std::function<void(absl::string_view line, uint64_t number)>& f,
    const std::function<void(uint64_t number)>& on_too_long,
    size_t max_line = kMaxInputLine);

// "<stdin>:12: line longer than 1048576 bytes skipped".
std::string SkippedLineMessage(absl::string_view label, uint64_t number);
// "<stdin>:12: line of 3000000 bytes (longer than 1048576) copied
// unchanged".
std::string CopiedLineMessage(absl::string_view label, uint64_t number,
                              uint64_t length);

// "<stdin>:57: KASLR offset 0x2a400000 (Kernel Offset: line), applied to
// lines 1-57", or "...: KASLR disabled (...)".
std::string KernelOffsetMessage(absl::string_view label, uint64_t number,
                                const KernelOffsetLine& offset,
                                uint64_t first_line);
// Lines no "Kernel Offset:" line came for (after the last one, or too
// many to hold): read without an offset, and what to do about it.
std::string UnplacedLinesMessage(absl::string_view label, uint64_t first,
                                 uint64_t last);

// An address as a user types it: optional 0x/0X and 1 to 16 hex digits,
// nothing else ("0x0x1", " 1", "+1" are not addresses).
bool ParseAddressText(absl::string_view text, uint64_t* address);

// `text` for a message: control bytes, bytes that are not UTF-8, '\' and
// '"' escaped as \xNN, cut after kMaxEchoed bytes with the full length
// said ("... (N bytes)"), so echoed input stays one short line and cannot
// drive a terminal (names/printable.h QuoteBounded).
std::string QuoteForMessage(absl::string_view text);

// `text` with control bytes (C0, DEL, C1), bytes that are not UTF-8 and
// '\' escaped as \xNN, as QuoteForMessage does, but whole: for names
// printed as data (`ksym list`), so a name from a damaged or hostile
// kallsyms cannot drive a terminal or split a line, and the escape stays
// reversible.
std::string EscapeControlBytes(absl::string_view text);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_TEXT_POLICY_H_
