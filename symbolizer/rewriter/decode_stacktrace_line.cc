#include "symbolizer/rewriter/decode_stacktrace_line.h"

#include <cstddef>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ksym {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// bash `read line` (IFS unset, no -r): a backslash keeps the next byte
// literally and is dropped; unescaped blanks at both ends are dropped.
std::string ReadLine(absl::string_view s) {
  std::string out;
  size_t keep = 0;  // out's length up to its last byte that is not a blank
  bool started = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 1 == s.size()) break;  // a continuation: not reproduced
      out.push_back(s[++i]);
      keep = out.size();
      started = true;
    } else if (IsBlank(c)) {
      if (started) out.push_back(c);
    } else {
      out.push_back(c);
      keep = out.size();
      started = true;
    }
  }
  out.resize(keep);
  return out;
}

// bash `read -a words`: the same backslash rule; words split at unescaped
// blanks.
std::vector<std::string> ReadWords(absl::string_view s) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 1 == s.size()) break;
      word.push_back(s[++i]);
      in_word = true;
    } else if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

// `=~ \[\<([^]]+)\>\]`: "[<", at least one byte, ">]", no ']' between.
// Returns the bytes between, or nullopt.
std::optional<absl::string_view> AddressWord(absl::string_view s) {
  for (size_t p = s.find("[<"); p != absl::string_view::npos;
       p = s.find("[<", p + 1)) {
    const size_t close = s.find(']', p + 2);
    if (close == absl::string_view::npos) return std::nullopt;
    if (close >= p + 4 && s[close - 1] == '>') {
      return s.substr(p + 2, close - 1 - (p + 2));
    }
  }
  return std::nullopt;
}

bool IsLowerHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// Length of `0x[0-9a-f]+` at s[i], or 0.
size_t HexAt(absl::string_view s, size_t i) {
  if (i + 2 > s.size() || s[i] != '0' || s[i + 1] != 'x') return 0;
  size_t j = i + 2;
  while (j < s.size() && IsLowerHex(s[j])) ++j;
  return j > i + 2 ? j - i : 0;
}

// `=~ [^+\ ]+\+0x[0-9a-f]+/0x[0-9a-f]+`.
bool HasSymbolOffset(absl::string_view s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] != '+' || s[i - 1] == '+' || s[i - 1] == ' ') continue;
    const size_t off = HexAt(s, i + 1);
    if (off == 0 || i + 1 + off >= s.size() || s[i + 1 + off] != '/') continue;
    if (HexAt(s, i + 2 + off) > 0) return true;
  }
  return false;
}

// `=~ ^[0-9a-f]+\]`.
bool IsBuildIdTail(absl::string_view w) {
  size_t j = 0;
  while (j < w.size() && IsLowerHex(w[j])) ++j;
  return j > 0 && j < w.size() && w[j] == ']';
}

// `=~ \[([^]]+)\]`.
bool HasBracket(absl::string_view w) {
  for (size_t p = w.find('['); p != absl::string_view::npos;
       p = w.find('[', p + 1)) {
    const size_t close = w.find(']', p + 1);
    if (close == absl::string_view::npos) return false;
    if (close > p + 1) return true;
  }
  return false;
}

}  // namespace

DecodeStacktraceLine ReadAsDecodeStacktrace(absl::string_view raw) {
  DecodeStacktraceLine out;
  const std::string line = ReadLine(raw);
  if (!AddressWord(line).has_value() && !HasSymbolOffset(line)) {
    out.echoed = line;
    return out;
  }
  out.decoded = true;
  // handle_line gets "$line" and reads it again with `read -a`.
  std::vector<std::string> words = ReadWords(line);
  std::vector<bool> set(words.size(), true);
  const auto at = [&](size_t i) -> absl::string_view {
    return i < words.size() && set[i] ? absl::string_view(words[i]) : "";
  };
  if (words.empty()) {
    return out;
  }
  size_t last = words.size() - 1;
  int addresses = 0;
  std::string address;
  for (size_t i = 0; i < words.size(); ++i) {
    if (std::optional<absl::string_view> a = AddressWord(at(i))) {
      ++addresses;
      address = std::string(*a);
      set[i] = false;
    }
    if (at(i) == "[" && !at(i + 1).empty() && at(i + 1).back() == ']') {
      set[i] = false;
      const std::string& t = words[i + 1];
      words[i + 1] = absl::StrCat(
          "[", std::string(t.size() < 13 ? 13 - t.size() : 0, ' '), t);
    }
  }
  if (addresses == 1) {
    bool hex = !address.empty();
    for (char c : address) hex = hex && absl::ascii_isxdigit(c);
    if (hex) out.address = address;
  }
  if (last > 0 && IsBuildIdTail(at(last))) {
    words[last - 1] = absl::StrCat(at(last - 1), " ", at(last));
    set[last - 1] = true;
    set[last] = false;
    --last;
  }
  std::string symbol;
  if (HasBracket(at(last))) {
    out.module_bracket = std::string(at(last));
    absl::string_view m = at(last);
    if (!m.empty() && m.front() == '[') m.remove_prefix(1);
    if (!m.empty() && m.back() == ']') m.remove_suffix(1);
    const size_t space = m.rfind(' ');
    out.module = std::string(space == absl::string_view::npos ? m
                                                              : m.substr(0, space));
    if (last > 0) {
      symbol = std::string(at(last - 1));
      set[last - 1] = false;
    }
  } else {
    symbol = std::string(at(last));
  }
  set[last] = false;
  for (size_t i = 0; i < words.size(); ++i) {
    if (set[i]) out.words.push_back(std::move(words[i]));
  }
  // parse_symbol: parentheses, then the segment.
  absl::string_view s = symbol;
  if (!s.empty() && s.front() == '(') s.remove_prefix(1);
  if (!s.empty() && s.back() == ')') s.remove_suffix(1);
  if (const size_t colon = s.find(':'); colon != absl::string_view::npos) {
    out.segment = std::string(s.substr(0, colon + 1));
    s.remove_prefix(colon + 1);
  }
  out.stripped = std::string(s);
  const size_t plus = s.rfind('+');
  out.name = std::string(plus == absl::string_view::npos ? s : s.substr(0, plus));
  return out;
}

std::string DecodeStacktraceOutput(const DecodeStacktraceLine& line,
                                   absl::string_view symbol_text) {
  if (!line.decoded) return line.echoed;
  std::string out = absl::StrJoin(line.words, " ");
  if (!line.words.empty()) out.push_back(' ');
  absl::StrAppend(&out, symbol_text, " ", line.module);
  return out;
}

}  // namespace ksym
