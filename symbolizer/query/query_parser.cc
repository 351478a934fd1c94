#include "symbolizer/query/query_parser.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/names/printable.h"
#include "symbolizer/names/qualified_name.h"

namespace ksym {
namespace {

// %20phN in the kernel's " [%s %20phN]" stack-trace module annotation.
constexpr size_t kBuildIdHexDigits = 40;

// The query and the parts of it that `what` quotes are untrusted: the
// message is escaped and bounded (names/printable.h) before any front end
// prints it.
absl::Status Error(absl::string_view query, absl::string_view what) {
  constexpr size_t kMaxWhat = 2 * kMaxEchoed;
  return absl::InvalidArgumentError(absl::StrCat(
      "query \"", QuoteBounded(query, kMaxEchoed), "\": ",
      EscapeUnprintable(what.substr(0, kMaxWhat)),
      what.size() > kMaxWhat ? "..." : ""));
}

template <typename Pred>
bool AllOf(absl::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return pred(static_cast<unsigned char>(c));
  });
}

// Parses OFF or LEN. Returns "" on success, otherwise the reason, which
// follows `bad offset "X", ` in the message.
std::string ParseNumber(absl::string_view s, absl::string_view example,
                        uint64_t* out) {
  const std::string expected =
      absl::StrCat("expected hex like ", example, " or decimal");
  const char* const kOverflow = "expected a value below 2^64";
  if (absl::StartsWith(s, "0x") || absl::StartsWith(s, "0X")) {
    absl::string_view digits = s.substr(2);
    if (digits.empty() || !AllOf(digits, absl::ascii_isxdigit)) return expected;
    return absl::SimpleHexAtoi(digits, out) ? "" : kOverflow;
  }
  if (s.empty() || !AllOf(s, absl::ascii_isdigit)) return expected;
  if (s.size() > 1 && s[0] == '0') {
    // kprobe_events parses offsets with kstrtol(base 0): "010" is 8 there.
    return absl::StrCat(
        expected, " without a leading 0 (kprobe_events reads it as octal)");
  }
  return absl::SimpleAtoi(s, out) ? "" : kOverflow;
}

}  // namespace

std::string Query::ToString() const {
  std::string out = name;
  if (offset.has_value()) absl::StrAppend(&out, "+0x", absl::Hex(*offset));
  if (length.has_value()) absl::StrAppend(&out, "/0x", absl::Hex(*length));
  AppendQualifiers(modules, object.empty() ? "" : absl::StrCat(object, ".o"),
                   &out);
  if (address.has_value()) absl::StrAppend(&out, " @0x", absl::Hex(*address));
  return out;
}

bool Query::operator==(const Query& other) const {
  return name == other.name && modules == other.modules &&
         object == other.object && offset == other.offset &&
         length == other.length && address == other.address;
}

absl::StatusOr<Query> ParseQuery(absl::string_view text) {
  const absl::string_view q = absl::StripAsciiWhitespace(text);
  if (q.empty())
    return Error(q, "empty, expected a symbol name like init_once");

  // The head `[MOD:]NAME[+OFF[/LEN]]` ends where the annotations begin.
  size_t head_end = 0;
  while (head_end < q.size() && !absl::ascii_isspace(q[head_end]) &&
         q[head_end] != '[' && q[head_end] != '{' && q[head_end] != '@') {
    ++head_end;
  }
  absl::string_view head = q.substr(0, head_end);
  const absl::string_view rest = q.substr(head_end);

  Query out;
  const size_t colon = head.find(':');
  if (colon != absl::string_view::npos) {
    const absl::string_view mod = head.substr(0, colon);
    if (mod.empty()) {
      return Error(q,
                   "empty module before \":\", expected MOD:NAME like "
                   "ext4:ext4_fill_super");
    }
    if (!IsModuleNameText(mod)) {
      return Error(q, absl::StrCat("bad module \"", mod,
                                   "\" before \":\", expected a module name "
                                   "like ext4"));
    }
    out.modules.push_back(NormalizeModuleName(mod));
    head.remove_prefix(colon + 1);
  }

  absl::string_view name = head;
  const size_t plus = head.find('+');
  const size_t slash = head.find('/');
  if (slash != absl::string_view::npos &&
      (plus == absl::string_view::npos || slash < plus)) {
    return Error(q, absl::StrCat("length \"", head.substr(slash),
                                 "\" without offset, expected NAME+OFF/LEN "
                                 "like init_once+0x12/0x40"));
  }
  if (plus != absl::string_view::npos) {
    name = head.substr(0, plus);
    absl::string_view off = head.substr(plus + 1);
    absl::string_view len;
    const size_t len_slash = off.find('/');
    if (len_slash != absl::string_view::npos) {
      len = off.substr(len_slash + 1);
      off = off.substr(0, len_slash);
    }
    uint64_t value = 0;
    std::string why = ParseNumber(off, "0x1c", &value);
    if (!why.empty()) {
      return Error(q, absl::StrCat("bad offset \"", off, "\", ", why));
    }
    out.offset = value;
    if (len_slash != absl::string_view::npos) {
      why = ParseNumber(len, "0x40", &value);
      if (!why.empty()) {
        return Error(q, absl::StrCat("bad length \"", len, "\", ", why));
      }
      if (value == 0) {
        return Error(q, absl::StrCat("bad length \"", len,
                                     "\", expected a nonzero symbol size "
                                     "like 0x40"));
      }
      // scripts/faddr2line drops candidates with off > size; off == size
      // is still accepted there.
      if (*out.offset > value) {
        return Error(q, absl::StrCat("offset \"", off, "\" is past length \"",
                                     len, "\", expected OFF <= LEN"));
      }
      out.length = value;
    }
  }
  if (name.empty()) {
    return Error(q,
                 "empty symbol name, expected NAME, MOD:NAME or NAME+OFF "
                 "like init_once+0x12");
  }
  const size_t bad = name.find_first_of(":[]{}");
  if (bad != absl::string_view::npos) {
    return Error(q,
                 absl::StrCat("bad symbol name \"", name, "\", unexpected \"",
                              name.substr(bad, 1), "\""));
  }
  out.name = std::string(name);

  bool have_object = false;
  size_t i = 0;
  while (true) {
    while (i < rest.size() && absl::ascii_isspace(rest[i])) ++i;
    if (i == rest.size()) break;
    const char open = rest[i];
    if (open == '@') {
      size_t end = i + 1;
      while (end < rest.size() && !absl::ascii_isspace(rest[end]) &&
             rest[end] != '[' && rest[end] != '{' && rest[end] != '@') {
        ++end;
      }
      const absl::string_view word = rest.substr(i, end - i);
      const absl::string_view hex = word.substr(1);
      uint64_t value = 0;
      if (out.address.has_value()) {
        return Error(q, absl::StrCat("second address \"", word,
                                     "\", expected at most one @0xADDR"));
      }
      if (!absl::StartsWith(hex, "0x") ||
          !ParseNumber(hex, "0xffffffff81000000", &value).empty()) {
        return Error(q, absl::StrCat("bad address \"", word,
                                     "\", expected @0xADDR like "
                                     "@0xffffffff81000000"));
      }
      out.address = value;
      i = end;
      continue;
    }
    if (open != '[' && open != '{') {
      size_t end = i;
      while (end < rest.size() && !absl::ascii_isspace(rest[end])) ++end;
      return Error(q, absl::StrCat("unexpected \"", rest.substr(i, end - i),
                                   "\", expected [module] or {object.o}"));
    }
    const bool is_module = open == '[';
    const size_t close = rest.find(is_module ? ']' : '}', i);
    if (close == absl::string_view::npos) {
      return Error(
          q, absl::StrCat("missing \"", is_module ? "]" : "}", "\" after \"",
                          rest.substr(i), "\", expected ",
                          is_module ? "[module]" : "{object.o}"));
    }
    const absl::string_view whole = rest.substr(i, close + 1 - i);
    absl::string_view inner = whole.substr(1, whole.size() - 2);
    i = close + 1;

    if (is_module) {
      if (inner.empty()) {
        return Error(q, "empty module \"[]\", expected [module] like [ext4]");
      }
      // A query's build id is the whole one a stack trace prints.
      const std::optional<ModuleBracketToken> bracket = ScanModuleBracket(whole);
      if (!bracket.has_value() || (!bracket->build_id.empty() &&
                                   bracket->build_id.size() != kBuildIdHexDigits)) {
        return Error(q, absl::StrCat("bad module \"", whole,
                                     "\", expected [module] like [ext4] or "
                                     "[module BUILDID] with 40 hex digits"));
      }
      out.modules.push_back(NormalizeModuleName(bracket->module));
      continue;
    }

    if (have_object) {
      return Error(q, absl::StrCat("second object \"", whole,
                                   "\", expected at most one {object.o}"));
    }
    have_object = true;
    absl::ConsumeSuffix(&inner, ".o");
    if (inner.empty()) {
      return Error(q, absl::StrCat("empty object \"", whole,
                                   "\", expected {object.o} like {core.o}"));
    }
    if (!IsObjectPathSuffix(inner)) {
      return Error(q, absl::StrCat("bad object \"", whole,
                                   "\", expected a path suffix like "
                                   "{sched/core.o}"));
    }
    out.object = std::string(inner);
  }

  std::sort(out.modules.begin(), out.modules.end());
  out.modules.erase(std::unique(out.modules.begin(), out.modules.end()),
                    out.modules.end());
  return out;
}

bool ObjectSuffixMatches(absl::string_view object_path,
                         absl::string_view suffix) {
  absl::ConsumeSuffix(&object_path, ".o");
  absl::ConsumeSuffix(&suffix, ".o");
  if (suffix.empty()) return true;
  if (!absl::EndsWith(object_path, suffix)) return false;
  return object_path.size() == suffix.size() ||
         object_path[object_path.size() - suffix.size() - 1] == '/';
}

}  // namespace ksym
