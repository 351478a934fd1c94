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

namespace {

// Where a word of the query ends: at a space or the next annotation.
size_t WordEnd(absl::string_view s, size_t i) {
  while (i < s.size() && !absl::ascii_isspace(s[i]) && s[i] != '[' &&
         s[i] != '{' && s[i] != '@') {
    ++i;
  }
  return i;
}

// `MOD:` before the name, into out->modules; `head` loses it.
absl::Status ParseModulePrefix(absl::string_view q, absl::string_view* head,
                               Query* out) {
  const size_t colon = head->find(':');
  if (colon == absl::string_view::npos) return absl::OkStatus();
  const absl::string_view mod = head->substr(0, colon);
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
  out->modules.push_back(NormalizeModuleName(mod));
  head->remove_prefix(colon + 1);
  return absl::OkStatus();
}

// `+OFF[/LEN]` after the name, into out->offset and out->length; `name`
// is what precedes it.
absl::Status ParseOffsetAndLength(absl::string_view q, absl::string_view head,
                                  absl::string_view* name, Query* out) {
  *name = head;
  const size_t plus = head.find('+');
  const size_t slash = head.find('/');
  if (slash != absl::string_view::npos &&
      (plus == absl::string_view::npos || slash < plus)) {
    return Error(q, absl::StrCat("length \"", head.substr(slash),
                                 "\" without offset, expected NAME+OFF/LEN "
                                 "like init_once+0x12/0x40"));
  }
  if (plus == absl::string_view::npos) return absl::OkStatus();
  *name = head.substr(0, plus);
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
  out->offset = value;
  if (len_slash == absl::string_view::npos) return absl::OkStatus();
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
  if (*out->offset > value) {
    return Error(q, absl::StrCat("offset \"", off, "\" is past length \"",
                                 len, "\", expected OFF <= LEN"));
  }
  out->length = value;
  return absl::OkStatus();
}

// The head `[MOD:]NAME[+OFF[/LEN]]`.
absl::Status ParseHead(absl::string_view q, absl::string_view head,
                       Query* out) {
  if (absl::Status st = ParseModulePrefix(q, &head, out); !st.ok()) return st;
  absl::string_view name;
  if (absl::Status st = ParseOffsetAndLength(q, head, &name, out); !st.ok()) {
    return st;
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
  out->name = std::string(name);
  return absl::OkStatus();
}

// `@0xADDR`, the word `word`.
absl::Status ParseAddress(absl::string_view q, absl::string_view word,
                          Query* out) {
  const absl::string_view hex = word.substr(1);
  uint64_t value = 0;
  if (out->address.has_value()) {
    return Error(q, absl::StrCat("second address \"", word,
                                 "\", expected at most one @0xADDR"));
  }
  if (!absl::StartsWith(hex, "0x") ||
      !ParseNumber(hex, "0xffffffff81000000", &value).empty()) {
    return Error(q, absl::StrCat("bad address \"", word,
                                 "\", expected @0xADDR like "
                                 "@0xffffffff81000000"));
  }
  out->address = value;
  return absl::OkStatus();
}

// `[module]` or `[module BUILDID]`, the whole bracket `whole`.
absl::Status ParseModule(absl::string_view q, absl::string_view whole,
                         Query* out) {
  if (whole.size() == 2) {
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
  out->modules.push_back(NormalizeModuleName(bracket->module));
  return absl::OkStatus();
}

// `{object.o}`, the whole brace `whole`; at most one.
absl::Status ParseObject(absl::string_view q, absl::string_view whole,
                         Query* out) {
  if (!out->object.empty()) {
    return Error(q, absl::StrCat("second object \"", whole,
                                 "\", expected at most one {object.o}"));
  }
  absl::string_view inner = whole.substr(1, whole.size() - 2);
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
  out->object = std::string(inner);
  return absl::OkStatus();
}

// The annotations after the head: `[module]`s, one `{object.o}`, one
// `@0xADDR`, in any order.
absl::Status ParseAnnotations(absl::string_view q, absl::string_view rest,
                              Query* out) {
  size_t i = 0;
  while (true) {
    while (i < rest.size() && absl::ascii_isspace(rest[i])) ++i;
    if (i == rest.size()) return absl::OkStatus();
    const char open = rest[i];
    if (open == '@') {
      const size_t end = WordEnd(rest, i + 1);
      if (absl::Status st = ParseAddress(q, rest.substr(i, end - i), out);
          !st.ok()) {
        return st;
      }
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
    i = close + 1;
    absl::Status st =
        is_module ? ParseModule(q, whole, out) : ParseObject(q, whole, out);
    if (!st.ok()) return st;
  }
}

}  // namespace

absl::StatusOr<Query> ParseQuery(absl::string_view text) {
  const absl::string_view q = absl::StripAsciiWhitespace(text);
  if (q.empty())
    return Error(q, "empty, expected a symbol name like init_once");
  // The head `[MOD:]NAME[+OFF[/LEN]]` ends where the annotations begin.
  const size_t head_end = WordEnd(q, 0);
  Query out;
  if (absl::Status st = ParseHead(q, q.substr(0, head_end), &out); !st.ok()) {
    return st;
  }
  if (absl::Status st = ParseAnnotations(q, q.substr(head_end), &out);
      !st.ok()) {
    return st;
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
