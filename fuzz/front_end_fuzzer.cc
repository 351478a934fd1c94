// Fuzzes what the front ends do with untrusted text (symbolizer/api):
// command-line words (ParseCommandLine), addresses (ParseAddressText),
// bounded stdin lines (ForEachInputLine), message quoting and escaping,
// and the JSON writer. Checks the promises they make:
//   - an address that parses prints back as the same number;
//   - QuoteForMessage and EscapeControlBytes leave no control byte, and
//     QuoteForMessage stays short;
//   - ForEachInputLine hands out no line longer than its bound and counts
//     every line once;
//   - AppendJsonString gives valid UTF-8 in quotes with no raw control byte.
//
// Input: byte 0 picks the line bound (1 + byte, so short lines are
// skipped often); the rest is split at '\0' into command-line words, and
// is also fed whole to the other checks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tools/cli/command_line.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/api/text_policy.h"
#include "symbolizer/sources/strict_text.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "front_end fuzzer: %s\n", what);
  std::abort();
}

bool HasControlByte(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t max_line = 1 + data[0];
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);

  // Command-line words.
  const std::vector<std::string> words = absl::StrSplit(text, '\0');
  auto line = ksym::ParseCommandLine({"--index", "--output", "--release"},
                                     {"--json", "--quiet", "--all"}, words);
  if (line.ok()) {
    for (const auto& [flag, value] : line->values) {
      if (flag != "--index" && flag != "--output" && flag != "--release") {
        Fail("a value for a flag that takes none");
      }
    }
    if (!line->help && line->positional.size() > words.size()) {
      Fail("more positional words than words");
    }
  }

  // Addresses: each word, and the whole text.
  for (const std::string& w : words) {
    uint64_t a;
    if (ksym::ParseAddressText(w, &a)) {
      uint64_t b;
      if (!ksym::ParseHexDigits(absl::StrFormat("%x", a), &b) || a != b) {
        Fail("address does not print back");
      }
      if (w.empty() || w.size() > 18) Fail("address text of a bad length");
    }
  }

  // Quoting and escaping.
  const std::string quoted = ksym::QuoteForMessage(text);
  if (HasControlByte(quoted)) Fail("QuoteForMessage left a control byte");
  if (quoted.size() > 4 * ksym::kMaxEchoed + 32) {
    Fail("QuoteForMessage is not short");
  }
  if (HasControlByte(ksym::EscapeControlBytes(text))) {
    Fail("EscapeControlBytes left a control byte");
  }

  // Bounded lines.
  std::FILE* in = fmemopen(const_cast<char*>(text.data()),
                           text.empty() ? 1 : text.size(), "r");
  if (in != nullptr && !text.empty()) {
    uint64_t seen = 0, expect = 1;
    const uint64_t skipped = ksym::ForEachInputLine(
        in,
        [&](absl::string_view l, uint64_t n) {
          if (l.size() > max_line) Fail("line over the bound");
          if (n != expect++) Fail("line numbers out of order");
          ++seen;
        },
        [&](uint64_t n) {
          if (n != expect++) Fail("skipped line numbers out of order");
        },
        max_line);
    const uint64_t newlines =
        static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
    const uint64_t lines = newlines + (text.back() == '\n' ? 0 : 1);
    if (seen + skipped != lines) Fail("lines lost or counted twice");
  }
  if (in != nullptr) std::fclose(in);

  // JSON strings.
  std::string json;
  ksym::AppendJsonString(&json, text);
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') {
    Fail("JSON string not quoted");
  }
  if (HasControlByte(json)) Fail("raw control byte in JSON");
  if (ksym::FirstInvalidUtf8(json) != absl::string_view::npos) {
    Fail("JSON is not UTF-8");
  }
  // Every '"' inside is escaped.
  for (size_t i = 1; i + 1 < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      Fail("unescaped quote in JSON");
    }
  }
  return 0;
}
