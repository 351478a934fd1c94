// How the kernel's scripts/decode_stacktrace.sh reads and prints one line
// (its main loop, handle_line and parse_symbol), so that `ksym symbolize
// --decode-stacktrace` prints what the script prints, byte for byte, with
// the file:line of the right copy of a duplicated name:
//
//   [   12.345678]  ext4_fill_super+0x1c/0x40 [ext4]
//   [   12.345678] ext4_fill_super (fs/ext4/super.c:120) ext4
//   [<ffffffff8105b2e9>] ? init_once+0x12/0x40
//   ? init_once (fs/inode.c:429 fs/inode.c:460)
//
// The script reads each line with bash's `read` (backslashes removed,
// leading and trailing blanks dropped) and echoes lines without a frame. A
// line with `[<ADDR>]` or NAME+0xOFF/0xLEN is split into words; `[<ADDR>]`
// words are dropped, a timestamp `[` `12.3]` becomes `[%13s`; the last word
// is the symbol, or the one before a trailing `[mod]` / `[mod BUILDID]`;
// the symbol loses its parentheses and a `SEGMENT:` prefix, then becomes
// `SEGMENT:NAME (FILE:LINE ...)` and is printed after the other words with
// the module name after it (a trailing space when there is none). A
// symbol the script cannot decode is printed without parentheses and
// segment. Not reproduced: `Code:` lines (the script disassembles them with
// scripts/decodecode; they are echoed), a backslash at the end of a line
// (bash would join the next line), Rust demangling, a one-word frame line
// (bash's words[-1] repeats the word), `-n`/`-e` words taken by echo, a
// module whose .ko the script cannot find (it then prints the symbol
// unstripped) and a last line without newline (the script drops it).
#ifndef KSYM_SYMBOLIZER_REWRITER_DECODE_STACKTRACE_LINE_H_
#define KSYM_SYMBOLIZER_REWRITER_DECODE_STACKTRACE_LINE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ksym {

struct DecodeStacktraceLine {
  // The line has an address or NAME+0xOFF/0xLEN: the script decodes it.
  bool decoded = false;
  // Not decoded: the line as the script echoes it.
  std::string echoed;
  // Decoded: the words printed before the symbol.
  std::vector<std::string> words;
  std::string segment;   // "0010:" of "0010:foo+0x1/0x2", or ""
  std::string stripped;  // the symbol without parentheses and segment
  std::string name;      // "foo": the symbol up to its last '+'
  std::string module;    // "ext4" of a trailing [ext4 BUILDID], or ""
  std::string module_bracket;  // "[ext4 BUILDID]" as printed, or ""
  // The hex digits of the line's `[<ADDR>]`, when it has exactly one.
  std::string address;
};

DecodeStacktraceLine ReadAsDecodeStacktrace(absl::string_view line);

// What the script prints for a decoded line whose symbol became
// `symbol_text`: the words, the symbol text, a space and the module.
std::string DecodeStacktraceOutput(const DecodeStacktraceLine& line,
                                   absl::string_view symbol_text);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_REWRITER_DECODE_STACKTRACE_LINE_H_
