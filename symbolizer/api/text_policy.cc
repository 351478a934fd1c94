#include "symbolizer/api/text_policy.h"

#include <stdio.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {

uint64_t ForEachInputLine(
    std::FILE* in,
    const std::function<void(absl::string_view line, uint64_t number)>& f,
    const std::function<void(uint64_t number)>& on_too_long,
    size_t max_line) {
  std::string line;
  uint64_t number = 0, skipped = 0;
  bool too_long = false;
  bool pending = false;  // bytes of an unfinished line were read
  auto end_line = [&] {
    ++number;
    if (too_long) {
      ++skipped;
      if (on_too_long) on_too_long(number);
    } else {
      f(line, number);
    }
    line.clear();
    too_long = false;
    pending = false;
  };
  flockfile(in);
  int c;
  while ((c = getc_unlocked(in)) != EOF) {
    if (c == '\n') {
      funlockfile(in);  // f may write to stdio streams
      end_line();
      flockfile(in);
      continue;
    }
    pending = true;
    if (too_long) continue;
    line.push_back(static_cast<char>(c));
    if (line.size() > max_line) {
      too_long = true;
      line.clear();
      line.shrink_to_fit();
    }
  }
  funlockfile(in);
  if (pending) end_line();
  return skipped;
}

std::string SkippedLineMessage(absl::string_view label, uint64_t number) {
  return absl::StrCat(label, ":", number, ": line longer than ", kMaxInputLine,
                      " bytes skipped");
}

std::string CopiedLineMessage(absl::string_view label, uint64_t number,
                              uint64_t length) {
  return absl::StrCat(label, ":", number, ": line of ", length,
                      " bytes (longer than ", kMaxInputLine,
                      ") copied unchanged");
}

std::string KernelOffsetMessage(absl::string_view label, uint64_t number,
                                const KernelOffsetLine& offset,
                                uint64_t first_line) {
  return absl::StrCat(
      label, ":", number, ": ",
      offset.disabled ? std::string("KASLR disabled")
                      : absl::StrCat("KASLR offset 0x", absl::Hex(offset.offset)),
      " (its \"Kernel Offset:\" line), applied to lines ", first_line, "-",
      number);
}

std::string UnplacedLinesMessage(absl::string_view label, uint64_t first,
                                 uint64_t last) {
  return absl::StrCat(
      label, ":", first, "-", last,
      ": no \"Kernel Offset:\" line for these lines: their addresses were "
      "read as link-time ones (give --kaslr-offset OFF when they are a KASLR "
      "kernel's)");
}

bool ParseAddressText(absl::string_view text, uint64_t* address) {
  return ParseOptionallyPrefixedHex(text, address);
}

std::string EscapeControlBytes(absl::string_view text) {
  return EscapeUnprintable(text);
}

std::string QuoteForMessage(absl::string_view text) {
  return QuoteBounded(text, kMaxEchoed);
}

}  // namespace ksym
