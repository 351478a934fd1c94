#include "symbolizer/rewriter/frame_parser.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "symbolizer/names/qualified_name.h"

namespace ksym {
namespace {

constexpr size_t kNpos = absl::string_view::npos;
constexpr size_t kAddressDigits = 16;

bool IsNameStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
// Kernel symbol names: C identifiers plus compiler suffixes
// (`.constprop.0`, `.isra.0`, `.cold`) and `$`.
bool IsNameChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '$';
}
bool IsWordChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool BlankOrEnd(absl::string_view s, size_t p) {
  return p >= s.size() || IsBlank(s[p]);
}

// Where a symbol token may end: not inside a word or an offset.
bool SymbolEnd(absl::string_view s, size_t p) {
  return p >= s.size() ||
         !(IsWordChar(s[p]) || s[p] == '+' || s[p] == '/' || s[p] == '.');
}

using EndTest = bool (*)(absl::string_view, size_t);

// /proc/kallsyms and System.map type letters.
bool IsKallsymsType(char c) {
  return absl::ascii_isalpha(c) && c != 'x' && c != 'X';
}

// Exactly 16 hex digits at p; returns their end or kNpos.
size_t ParseHex16(absl::string_view s, size_t p, uint64_t* value) {
  if (p + kAddressDigits > s.size()) return kNpos;
  for (size_t k = 0; k < kAddressDigits; ++k) {
    if (!absl::ascii_isxdigit(s[p + k])) return kNpos;
  }
  const size_t end = p + kAddressDigits;
  if (end < s.size() && IsWordChar(s[end])) return kNpos;
  if (!absl::SimpleHexAtoi(s.substr(p, kAddressDigits), value)) return kNpos;
  return end;
}

// "0x" and up to 16 hex digits at p; returns the end or kNpos.
size_t ParseHexNumber(absl::string_view s, size_t p, uint64_t* value) {
  if (p + 2 >= s.size() || s[p] != '0' || s[p + 1] != 'x') return kNpos;
  const size_t begin = p + 2;
  size_t q = begin;
  while (q < s.size() && absl::ascii_isxdigit(s[q])) ++q;
  if (q == begin || q - begin > kAddressDigits) return kNpos;
  if (!absl::SimpleHexAtoi(s.substr(begin, q - begin), value)) return kNpos;
  return q;
}

struct AddressToken {
  size_t end = 0;  // after the digits and any closing ">" or ">]"
  uint64_t value = 0;
};

// An address at word boundary p: [0x]XXXXXXXXXXXXXXXX.
bool ParseAddress(absl::string_view s, size_t p, AddressToken* a) {
  const size_t digits = s.substr(p, 2) == "0x" ? p + 2 : p;
  size_t end = ParseHex16(s, digits, &a->value);
  if (end == kNpos) return false;
  if (end < s.size() && s[end] == '>') {
    ++end;
    if (end < s.size() && s[end] == ']') ++end;
  }
  a->end = end;
  return true;
}

struct SymbolToken {
  size_t end = 0;
  absl::string_view name;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> length;
};

// A few assembler labels in kallsyms start with '.' (.slowpath, .E_copy).
bool NameStartsAt(absl::string_view s, size_t p) {
  if (p >= s.size()) return false;
  if (s[p] == '.') return p + 1 < s.size() && IsNameStart(s[p + 1]);
  return IsNameStart(s[p]);
}

// NAME[+0xOFF[/0xLEN]] at p, not followed by a word character.
bool ParseSymbol(absl::string_view s, size_t p, SymbolToken* t) {
  if (!NameStartsAt(s, p)) return false;
  size_t q = p + 1;
  while (q < s.size() && IsNameChar(s[q])) ++q;
  t->name = s.substr(p, q - p);
  t->offset.reset();
  t->length.reset();
  if (q < s.size() && s[q] == '+') {
    uint64_t off;
    const size_t e = ParseHexNumber(s, q + 1, &off);
    if (e == kNpos) return false;
    t->offset = off;
    q = e;
    if (q < s.size() && s[q] == '/') {
      uint64_t len;
      const size_t e2 = ParseHexNumber(s, q + 1, &len);
      if (e2 == kNpos) return false;
      t->length = len;
      q = e2;
    }
  }
  if (!SymbolEnd(s, q)) return false;
  t->end = q;
  return true;
}

// "[MOD]" or "[MOD BUILDID]" at p (names/qualified_name.h); returns the
// end or kNpos.
size_t ParseModuleBracket(absl::string_view s, size_t p) {
  if (p > s.size()) return kNpos;
  const std::optional<ModuleBracketToken> b = ScanModuleBracket(s.substr(p));
  return b.has_value() ? p + b->size : kNpos;
}

// "{OBJ}" at p (names/qualified_name.h); returns the end or kNpos.
size_t ParseObjectBrace(absl::string_view s, size_t p) {
  if (p > s.size()) return kNpos;
  const std::optional<ObjectBraceToken> o = ScanObjectBrace(s.substr(p));
  return o.has_value() ? p + o->size : kNpos;
}

// " (...)" at p with balanced parentheses inside; returns the end or kNpos.
size_t ParseParenthesized(absl::string_view s, size_t p) {
  if (p + 1 >= s.size() || s[p] != ' ' || s[p + 1] != '(') return kNpos;
  int depth = 0;
  for (size_t q = p + 1; q < s.size(); ++q) {
    if (s[q] == '(') ++depth;
    if (s[q] == ')' && --depth == 0) return q + 1;
  }
  return kNpos;
}

// The longest run of qualifiers (" [MOD]", " {OBJ}", space or tab before
// each) and ambiguity notes at p after which `ok` holds, as it does after
// the symbol. The rewriter replaces the whole run, so the text after it
// must still end a symbol, and a run cut short must look the same when
// parsed again: hence one grammar for any order, without state.
size_t ParseTail(absl::string_view s, size_t p, EndTest ok, bool* has_note) {
  size_t best = p;
  bool note = false;
  *has_note = false;
  while (true) {
    size_t e = kNpos;
    if (p + 1 < s.size() && (s[p] == ' ' || s[p] == '\t')) {
      e = ParseModuleBracket(s, p + 1);
      if (e == kNpos) e = ParseObjectBrace(s, p + 1);
    }
    if (e == kNpos && (absl::StartsWith(s.substr(p), kAmbiguityNotePrefix) ||
                       absl::StartsWith(s.substr(p), kMismatchNotePrefix) ||
                       absl::StartsWith(s.substr(p), kUnplacedNotePrefix))) {
      e = ParseParenthesized(s, p);
      note = note || e != kNpos;
    }
    if (e == kNpos && (absl::StartsWith(s.substr(p), kBpfNotePrefix) ||
                       absl::StartsWith(s.substr(p),
                                        kUncheckedBuildIdNotePrefix))) {
      e = ParseParenthesized(s, p);
    }
    if (e == kNpos) break;
    p = e;
    if (ok(s, p)) {
      best = p;
      *has_note = note;
    }
  }
  return best;
}

// perf script names the DSO of each frame: kernel ones are
// [kernel.kallsyms], [guest.kernel.kallsyms], [MODULE], [unknown] or a
// vmlinux / .ko path; everything else is user space.
bool IsUserDso(absl::string_view dso) {
  if (absl::StartsWith(dso, "[") && absl::EndsWith(dso, "]")) {
    for (absl::string_view u : {"[vdso]", "[vdso32]", "[vdsox32]", "[vsyscall]",
                                "[heap]", "[stack]", "[uprobes]"}) {
      if (dso == u) return true;
    }
    return absl::StartsWith(dso, "[anon");
  }
  const size_t slash = dso.rfind('/');
  if (slash == kNpos) return true;
  const absl::string_view base = dso.substr(slash + 1);
  return !absl::StartsWith(base, "vmlinux") && !absl::StrContains(base, ".ko");
}

// A perf DSO " (DSO)" at p; returns its end and content, or kNpos.
size_t ParseDso(absl::string_view s, size_t p, absl::string_view* dso) {
  const size_t e = ParseParenthesized(s, p);
  if (e == kNpos) return kNpos;
  *dso = s.substr(p + 2, e - 1 - (p + 2));
  return e;
}

// " (NAME+0xOFF/0xLEN [MOD] {OBJ})" as the Rewriter appends to bare
// addresses, perhaps with an ambiguity marker before the ")"; returns its
// end or kNpos.
size_t ParseBareAnnotation(absl::string_view s, size_t p) {
  if (p + 2 >= s.size() || s[p] != ' ' || s[p + 1] != '(') return kNpos;
  SymbolToken t;
  if (!ParseSymbol(s, p + 2, &t) || !t.length.has_value()) return kNpos;
  bool has_note;  // the Rewriter's marker of a name that is not unique
  const size_t q = ParseTail(s, t.end, SymbolEnd, &has_note);
  if (q >= s.size() || s[q] != ')') return kNpos;
  return q + 1;
}

// " <XXXXXXXXXXXXXXXX>" (ftrace sym-addr) at p; returns the end or kNpos.
size_t ParseAngleAddress(absl::string_view s, size_t p, uint64_t* value) {
  if (p + 2 >= s.size() || s[p] != ' ' || s[p + 1] != '<') return kNpos;
  const size_t e = ParseHex16(s, p + 2, value);
  if (e == kNpos || e >= s.size() || s[e] != '>') return kNpos;
  return e + 1;
}

// Whole-line formats whose frames the general scan would not see.
//
// bpftrace kstack (default mode), decimal offsets, one frame a line:
//       __ext4_get_inode_loc+151
// ftrace function_graph, a call, a leaf and a return:
//    0)               |  ext4_create() {
//    0)   0.721 us    |    recently_deleted();
//    0) + 12.345 us   |  } /* ext4_create */
// Each emits its frame and returns true; false leaves the line to the scan.
class LineFormats {
 public:
  LineFormats(absl::string_view s, std::vector<FrameSpan>* out)
      : s_(s), out_(out) {}

  bool Run() { return Bpftrace() || FunctionGraph(); }

 private:
  // A name at p; its end, or kNpos.
  size_t Name(size_t p) const {
    if (!NameStartsAt(s_, p)) return kNpos;
    size_t q = p + 1;
    while (q < s_.size() && IsNameChar(s_[q])) ++q;
    return q;
  }

  void Emit(FrameKind kind, size_t begin, size_t name_end, size_t symbol_end,
            size_t end, std::optional<uint64_t> offset, bool has_note) {
    FrameSpan f;
    f.kind = kind;
    f.begin = begin;
    f.end = end;
    f.symbol = s_.substr(begin, symbol_end - begin);
    f.name = s_.substr(begin, name_end - begin);
    f.offset = offset;
    f.qualifiers = s_.substr(symbol_end, end - symbol_end);
    f.has_note = has_note;
    out_->push_back(f);
  }

  bool Bpftrace() {
    // bpftrace indents each frame (4 or 8 spaces, or a tab); one space
    // before NAME+DEC is more likely prose than a stack.
    size_t p = 0;
    while (p < s_.size() && IsBlank(s_[p])) ++p;
    if (p < 4 && s_.substr(0, p).find('\t') == absl::string_view::npos) {
      return false;
    }
    const size_t name_end = Name(p);
    if (name_end == kNpos || name_end >= s_.size() || s_[name_end] != '+') {
      return false;
    }
    size_t q = name_end + 1;
    while (q < s_.size() && absl::ascii_isdigit(s_[q])) ++q;
    uint64_t offset;
    if (q == name_end + 1 || q - name_end > 20 ||
        !absl::SimpleAtoi(s_.substr(name_end + 1, q - name_end - 1), &offset)) {
      return false;
    }
    bool has_note;
    const size_t end = ParseTail(s_, q, BlankOrEnd, &has_note);
    if (end != s_.size()) return false;  // the frame is the whole line
    Emit(FrameKind::kSymbolic, p, name_end, q, end, offset, has_note);
    return true;
  }

  static bool CallEnd(absl::string_view s, size_t p) {
    return absl::StartsWith(s.substr(p), "();") ||
           absl::StartsWith(s.substr(p), "() {");
  }
  static bool CommentEnd(absl::string_view s, size_t p) {
    return absl::StartsWith(s.substr(p), " */");
  }

  // The CPU column, " 0)", before `bar`: digits and `)` after a blank, a
  // `|` (funcgraph-abstime's column) or the line's start. A `)` alone is
  // not enough: an earlier run's "(not placed: ...)" note has one too, and
  // taking the line for function_graph then would not be idempotent.
  bool CpuColumnBefore(size_t bar) const {
    for (size_t close = s_.find(')'); close < bar;
         close = s_.find(')', close + 1)) {
      size_t d = close;
      while (d > 0 && absl::ascii_isdigit(s_[d - 1])) --d;
      if (d == close) continue;
      if (d == 0 || IsBlank(s_[d - 1]) || s_[d - 1] == '|') return true;
    }
    return false;
  }

  bool FunctionGraph() {
    // " 0)" or "CPU)" columns, then the duration, then "|".
    const size_t bar = s_.rfind('|');
    if (bar == kNpos || !CpuColumnBefore(bar)) return false;
    size_t p = bar + 1;
    while (p < s_.size() && s_[p] == ' ') ++p;
    const bool comment = absl::StartsWith(s_.substr(p), "} /* ");
    if (comment) p += 5;
    const size_t name_end = Name(p);
    if (name_end == kNpos) return false;
    bool has_note;
    const size_t end = ParseTail(s_, name_end, comment ? CommentEnd : CallEnd,
                                 &has_note);
    if (!(comment ? CommentEnd(s_, end) : CallEnd(s_, end))) return false;
    Emit(FrameKind::kPlainName, p, name_end, name_end, end, std::nullopt,
         has_note);
    return true;
  }

  absl::string_view s_;
  std::vector<FrameSpan>* out_;
};

class Scanner {
 public:
  Scanner(absl::string_view s, std::vector<FrameSpan>* out)
      : s_(s), out_(out), ftrace_stack_(absl::StartsWith(s, " => ")) {}

  void Run() {
    size_t i = 0;
    while (i < s_.size()) {
      const char c = s_[i];
      if (i > 0 && IsNameChar(s_[i - 1])) {
        ++i;
        continue;
      }
      // After '+' or '/' a number is an offset or a size.
      const bool operand = i > 0 && (s_[i - 1] == '+' || s_[i - 1] == '/');
      AddressToken a;
      if (!operand && absl::ascii_isxdigit(c) && ParseAddress(s_, i, &a)) {
        i = AddressFrame(a);
      } else if (NameStartsAt(s_, i)) {
        i = SymbolFrame(i);
      } else {
        ++i;
      }
    }
  }

 private:
  void Emit(FrameKind kind, size_t begin, size_t end, const SymbolToken* t,
            size_t qualifiers_begin, size_t qualifiers_end, bool has_note) {
    FrameSpan f;
    f.kind = kind;
    f.begin = begin;
    f.end = end;
    if (t != nullptr) {
      f.symbol = s_.substr(begin, t->end - begin);
      f.name = t->name;
      f.offset = t->offset;
      f.length = t->length;
    }
    f.qualifiers =
        s_.substr(qualifiers_begin, qualifiers_end - qualifiers_begin);
    f.has_note = has_note;
    out_->push_back(f);
  }

  // An address at i: followed by its symbol, or bare.
  size_t AddressFrame(const AddressToken& a) {
    const size_t p = a.end;
    if (p + 1 < s_.size() && s_[p] == ' ') {
      size_t q = p + 1;
      if (IsKallsymsType(s_[q]) && q + 2 < s_.size() && s_[q + 1] == ' ' &&
          NameStartsAt(s_, q + 2)) {
        // `ADDR TYPE NAME`: a symbol table line, not a frame.
        return q + 1;
      }
      if (q + 1 < s_.size() && s_[q] == '?' && s_[q + 1] == ' ') q += 2;
      if (s_.substr(q, 9) == "[unknown]" && BlankOrEnd(s_, q + 9)) {
        // perf had the kernel's symbols and still placed the address
        // nowhere: frame-pointer garbage in a user-space callchain.
        return q + 9;
      }
      SymbolToken t;
      if (ParseSymbol(s_, q, &t) && BlankOrEnd(s_, t.end)) {
        bool has_note;
        const size_t end = ParseTail(s_, t.end, BlankOrEnd, &has_note);
        absl::string_view dso;
        const size_t dso_end = ParseDso(s_, end, &dso);
        if (dso_end != kNpos && IsUserDso(dso)) return dso_end;
        Emit(FrameKind::kAddressed, q, end, &t, t.end, end, has_note);
        out_->back().has_address = true;
        out_->back().address = a.value;
        // A second address after the symbol (ftrace sym-addr form) belongs
        // to it, not to the text after it.
        uint64_t ignored;
        const size_t angle_end = ParseAngleAddress(s_, end, &ignored);
        return angle_end == kNpos ? end : angle_end;
      }
    }
    // An earlier run's annotation first: it would pass for a perf DSO. The
    // rewriter puts it after the closing `>` of `<ADDR>`.
    size_t annotation = ParseBareAnnotation(s_, p);
    if (annotation == kNpos && p < s_.size() && s_[p] == '>') {
      annotation = ParseBareAnnotation(s_, p + 1);
    }
    if (annotation == kNpos) {
      absl::string_view dso;
      const size_t dso_end = ParseDso(s_, p, &dso);
      if (dso_end != kNpos && IsUserDso(dso)) return dso_end;
    }
    const size_t end = annotation == kNpos ? p : annotation;
    Emit(FrameKind::kBareAddress, p, end, nullptr, p, p, false);
    out_->back().has_address = true;
    out_->back().address = a.value;
    return end;
  }

  // A name at i: a frame if it has the %pS form, is followed by an address
  // (ftrace sym-addr) or stands where ftrace prints function names.
  size_t SymbolFrame(size_t i) {
    SymbolToken t;
    if (!ParseSymbol(s_, i, &t)) {
      while (i < s_.size() && IsNameChar(s_[i])) ++i;
      return i;
    }
    bool has_note;
    const size_t end = ParseTail(s_, t.end, SymbolEnd, &has_note);
    uint64_t address;
    const size_t address_end = ParseAngleAddress(s_, end, &address);
    if (address_end != kNpos) {
      Emit(FrameKind::kAddressed, i, end, &t, t.end, end, has_note);
      out_->back().has_address = true;
      out_->back().address = address;
      return address_end;
    }
    if (t.length.has_value()) {
      Emit(FrameKind::kSymbolic, i, end, &t, t.end, end, has_note);
      return end;
    }
    const bool ftrace_name = (i >= 2 && s_[i - 2] == '<' && s_[i - 1] == '-') ||
                             absl::StartsWith(s_.substr(end), " <-") ||
                             (ftrace_stack_ && i == 4);
    if (ftrace_name && BlankOrEnd(s_, t.end)) {
      Emit(t.offset.has_value() ? FrameKind::kSymbolic : FrameKind::kPlainName,
           i, end, &t, t.end, end, has_note);
      return end;
    }
    return t.end;
  }

  absl::string_view s_;
  std::vector<FrameSpan>* out_;
  bool ftrace_stack_;
};

}  // namespace

const char* FrameKindName(FrameKind kind) {
  switch (kind) {
    case FrameKind::kAddressed:
      return "addressed";
    case FrameKind::kSymbolic:
      return "symbolic";
    case FrameKind::kPlainName:
      return "plain-name";
    case FrameKind::kBareAddress:
      return "bare-address";
  }
  return "unknown";
}

void FindFrames(absl::string_view line, std::vector<FrameSpan>* out) {
  out->clear();
  if (LineFormats(line, out).Run()) return;
  Scanner(line, out).Run();
}

std::vector<FrameSpan> FindFrames(absl::string_view line) {
  std::vector<FrameSpan> out;
  FindFrames(line, &out);
  return out;
}

std::vector<ModuleBracket> ModuleBrackets(absl::string_view qualifiers) {
  std::vector<ModuleBracket> out;
  size_t p = 0;
  while (p < qualifiers.size()) {
    const size_t note = ParseParenthesized(qualifiers, p);
    if (note != kNpos) {
      p = note;
      continue;
    }
    const std::optional<ModuleBracketToken> token =
        ScanModuleBracket(qualifiers.substr(p));
    if (!token.has_value()) {
      ++p;
      continue;
    }
    ModuleBracket b;
    b.text = qualifiers.substr(p, token->size);
    b.module = token->module;
    b.build_id = token->build_id;
    out.push_back(b);
    p += token->size;
  }
  return out;
}

absl::string_view ObjectQualifier(absl::string_view qualifiers) {
  size_t p = 0;
  while (p < qualifiers.size()) {
    const size_t note = ParseParenthesized(qualifiers, p);
    if (note != kNpos) {
      p = note;
      continue;
    }
    const std::optional<ObjectBraceToken> o =
        ScanObjectBrace(qualifiers.substr(p));
    if (o.has_value()) return o->object;
    ++p;
  }
  return {};
}

}  // namespace ksym
