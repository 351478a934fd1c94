#include "symbolizer/rewriter/rewriter.h"

#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/api/text_policy.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/past_size.h"
#include "symbolizer/rewriter/decode_stacktrace_line.h"
#include "symbolizer/rewriter/unplaced.h"

namespace ksym {
namespace {

// A name, query or path from the index's inputs (or the trace), made safe
// to print: nothing of it reaches a terminal raw (names/printable.h).
std::string EscapedName(absl::string_view name) {
  return EscapeControlBytes(name);
}

}  // namespace

Rewriter::Rewriter(const Symbolizer& symbolizer, RewriteOptions options)
    : symbolizer_(symbolizer), options_(options) {
  const IndexReader& index = symbolizer_.index();
  for (uint32_t k = 0; k < index.module_count(); ++k) {
    const IndexReader::Module m = index.ModuleAt(k);
    module_build_ids_[NormalizeModuleName(m.name)] = std::string(m.build_id);
  }
}

std::string Rewriter::BuildIdConflict(absl::string_view qualifiers) const {
  for (const ModuleBracket& b : ModuleBrackets(qualifiers)) {
    if (b.build_id.empty()) continue;
    const std::string module = NormalizeModuleName(b.module);
    const auto it = module_build_ids_.find(module);
    if (it == module_build_ids_.end() || it->second.empty()) continue;
    if (!absl::EqualsIgnoreCase(it->second, b.build_id)) {
      return absl::StrCat("the index's ", EscapedName(module), " has build-id ",
                          EscapedName(it->second),
                          ", another build than the frame's");
    }
  }
  return "";
}

std::string Rewriter::UncheckedBuildIdNote(
    absl::string_view qualifiers) const {
  std::vector<std::string> unchecked;
  for (const ModuleBracket& b : ModuleBrackets(qualifiers)) {
    if (b.build_id.empty()) continue;
    const std::string module = NormalizeModuleName(b.module);
    const auto it = module_build_ids_.find(module);
    if (it == module_build_ids_.end() || it->second.empty()) {
      unchecked.push_back(EscapedName(module));
    }
  }
  if (unchecked.empty()) return "";
  return absl::StrCat(kUncheckedBuildIdNotePrefix,
                      "the index has no build-id for ",
                      absl::StrJoin(unchecked, ", "), ")");
}

void Rewriter::AppendUnplaced(const FrameSpan& f, absl::string_view why,
                              std::string* out) {
  ++stats_.unresolved;
  out->append(f.symbol.data(), f.symbol.size());
  AppendPrintedQualifiers(f.qualifiers, out);
  out->append(UnplacedNote(why));
}

void Rewriter::RewriteLine(absl::string_view line, std::string* out) {
  if (options_.decode_stacktrace) {
    RewriteLineAsScript(line, out);
    return;
  }
  ++stats_.lines;
  FindFrames(line, &frames_);
  size_t done = 0;
  for (const FrameSpan& f : frames_) {
    out->append(line.data() + done, f.begin - done);
    if (!RewriteFrame(f, out)) {
      out->append(line.data() + f.begin, f.end - f.begin);
    }
    done = f.end;
  }
  out->append(line.data() + done, line.size() - done);
}

std::string Rewriter::RewriteLine(absl::string_view line) {
  std::string out;
  RewriteLine(line, &out);
  return out;
}

std::string Rewriter::RewriteText(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    absl::string_view line = text.substr(0, nl);
    const bool cr = absl::ConsumeSuffix(&line, "\r");
    RewriteLine(line, &out);
    if (cr) out.push_back('\r');
    if (nl == absl::string_view::npos) break;
    out.push_back('\n');
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool Rewriter::RewriteFrame(const FrameSpan& f, std::string* out) {
  switch (f.kind) {
    case FrameKind::kAddressed:
      return RewriteAddressed(f, out);
    case FrameKind::kSymbolic:
    case FrameKind::kPlainName:
      return RewriteNamed(f, out);
    case FrameKind::kBareAddress:
      return RewriteBare(f, out);
  }
  return false;
}

void Rewriter::RewriteLineAsScript(absl::string_view line, std::string* out) {
  ++stats_.lines;
  const DecodeStacktraceLine l = ReadAsDecodeStacktrace(line);
  if (!l.decoded) {
    out->append(l.echoed);
    return;
  }
  // The frame the script decodes, with the module bracket (and, when
  // with_address, the address) the line printed for it, read as any other
  // frame: its file:lines, or the reason it has none, and ksym's notes.
  struct Pinned {
    bool framed = false;
    std::string code, lines_note, notes;
  };
  const auto pin = [&](bool with_address) {
    Pinned p;
    std::string frame =
        with_address ? absl::StrCat("[<", l.address, ">] ") : std::string();
    absl::StrAppend(&frame, l.stripped);
    if (!l.module_bracket.empty()) absl::StrAppend(&frame, " ", l.module_bracket);
    FindFrames(frame, &frames_);
    const FrameSpan* f = nullptr;
    for (const FrameSpan& c : frames_) {
      if (c.kind != FrameKind::kBareAddress && c.symbol == l.stripped) f = &c;
    }
    if (f == nullptr) return p;
    p.framed = true;
    std::string rewritten;
    script_code_ = &p.code;
    script_lines_note_ = &p.lines_note;
    const bool changed = RewriteFrame(*f, &rewritten);
    script_code_ = script_lines_note_ = nullptr;
    if (!changed) return p;
    // What follows the symbol in ksym's own shape: the qualifiers (the
    // script prints the module by itself, and no object), then the notes.
    absl::string_view notes = absl::ClippedSubstr(rewritten, f->symbol.size());
    while (notes.size() > 2 && notes[0] == ' ' &&
           (notes[1] == '[' || notes[1] == '{')) {
      const size_t close = notes.find(notes[1] == '[' ? ']' : '}');
      if (close == absl::string_view::npos) break;
      notes.remove_prefix(close + 1);
    }
    p.notes = std::string(notes);
    return p;
  };
  const RewriteStats before = stats_;
  Pinned p = pin(!l.address.empty());
  if (p.code.empty() && !l.address.empty()) {
    // The script decodes by name alone: a printed address that places no
    // lines (zeroed or hashed by %p, another boot's) does not stop it.
    // What the address said (a mismatch) stays as a note, and counted.
    const RewriteStats by_address = stats_;
    stats_ = before;
    Pinned by_name = pin(false);
    if (by_name.code.empty()) {
      stats_ = by_address;
    } else {
      stats_.mismatched += by_address.mismatched - before.mismatched;
      by_name.notes = absl::StrCat(p.notes, by_name.notes);
      p = std::move(by_name);
    }
  }
  if (!p.framed) {
    out->append(DecodeStacktraceOutput(l, EscapedName(l.stripped)));
    out->append(UnplacedNote("not a frame ksym reads"));
    return;
  }
  out->append(DecodeStacktraceOutput(
      l, p.code.empty() ? l.stripped
                        : absl::StrCat(l.segment, l.name, " (", p.code, ")")));
  // After the module: the script's shape stays whole for its parsers.
  out->append(p.lines_note);
  out->append(p.notes);
}

bool Rewriter::NameKnown(absl::string_view name) const {
  bool known = false;
  symbolizer_.index().ForEachNamed(name, [&](uint32_t) { known = true; });
  return known;
}

bool Rewriter::RewriteAddressed(const FrameSpan& f, std::string* out) {
  ++stats_.frames;
  if (const std::string why = BuildIdConflict(f.qualifiers); !why.empty()) {
    AppendUnplaced(f, why, out);
    return true;
  }
  const uint64_t at = f.address - options_.kaslr_offset;  // in the index
  const LookupResult r = symbolizer_.Lookup(at);
  const bool text = r.found && IsTextType(r.symbol.type);
  const SymbolInfo* s = nullptr;
  SymbolInfo held;
  bool mismatched = false;
  if (r.found && r.symbol.name() == f.name) {
    s = &r.symbol;
  } else {
    // Another alias, or an outer symbol the address is nested in.
    symbolizer_.LookupAll(at, &covering_);
    for (const SymbolInfo& c : covering_) {
      if (c.name() == f.name) {
        s = &c;
        break;
      }
    }
    // %pB prints a return address just past a noreturn call as the end of
    // the caller (foo+0x40/0x40): name + offset still agree with the
    // address.
    if (s == nullptr && f.offset.has_value()) {
      Query q;
      q.name = std::string(f.name);
      for (const Candidate& c : symbolizer_.Resolve(q)) {
        if (c.symbol.address + *f.offset == at) {
          held = c.symbol;
          s = &held;
          break;
        }
      }
    }
    // A name the index does not know at all (a BPF program, a trampoline)
    // means the tracer knew better; a known one elsewhere is a wrong name.
    if (s == nullptr && text && NameKnown(f.name)) {
      s = &r.symbol;
      mismatched = true;
    }
  }
  if (s == nullptr && options_.live_frame) {
    // A BPF program or trampoline of the running kernel.
    if (std::optional<LiveFrame> live = options_.live_frame(at);
        live.has_value() && live->name == f.name) {
      ++stats_.resolved;
      out->append(f.symbol.data(), f.symbol.size());
      out->append(live->suffix);  // its [bpf] and note, replacing any printed
      return true;
    }
  }
  if (s == nullptr) {
    // The printed text stays and says why the index does not name it.
    ++stats_.unresolved;
    // A name the index has, at an address where it has no text, stays as
    // it is (only counted): such lines are often not frames at all.
    if (NameKnown(f.name)) return false;
    out->append(f.symbol.data(), f.symbol.size());
    AppendPrintedQualifiers(f.qualifiers, out);
    out->append(UnplacedNote(absl::StrCat(
        "no symbol named ", EscapedName(f.name), " in the index")));
    return true;
  }
  const uint64_t offset = at - s->address;
  if (f.offset.has_value() && *f.offset != offset) mismatched = true;
  out->append(f.symbol.data(), f.symbol.size());
  if (!mismatched) {
    AppendLines(*s, offset, out);
    AppendQualifiers(*s, f.qualifiers, out);
    CountName(*s, AppendMarker(*s, out));
    out->append(UncheckedBuildIdNote(f.qualifiers));
    ++stats_.resolved;
    return true;
  }
  // The text and the index disagree: either may be wrong (another kernel,
  // a reboot that moved KASLR, a module reloaded elsewhere). The printed
  // text stays, with what it printed after it, and the index's answer is
  // shown beside it, never instead of it.
  AppendPrintedQualifiers(f.qualifiers, out);
  absl::StrAppend(out, kMismatchNotePrefix, EscapedName(s->name()), "+0x",
                  absl::Hex(offset), "/0x",
                  absl::Hex(symbolizer_.KernelLength(*s)));
  AppendQualifiers(*s, {}, out);
  out->push_back(')');
  ++stats_.mismatched;
  return true;
}

bool Rewriter::RewriteNamed(const FrameSpan& f, std::string* out) {
  ++stats_.frames;
  if (const std::string why = BuildIdConflict(f.qualifiers); !why.empty()) {
    AppendUnplaced(f, why, out);
    return true;
  }
  Query q;
  q.name = std::string(f.name);
  q.offset = f.offset;
  q.length = f.length;
  for (const ModuleBracket& b : ModuleBrackets(f.qualifiers)) {
    q.modules.push_back(NormalizeModuleName(b.module));
  }
  std::sort(q.modules.begin(), q.modules.end());
  q.modules.erase(std::unique(q.modules.begin(), q.modules.end()),
                  q.modules.end());
  const absl::string_view printed_object = ObjectQualifier(f.qualifiers);
  q.object = std::string(absl::StripSuffix(printed_object, ".o"));
  std::vector<Candidate> candidates = symbolizer_.Resolve(q);
  if (f.length.has_value() && q.modules.empty()) {
    // %pS names the module of every loadable-module symbol.
    const IndexReader& index = symbolizer_.index();
    candidates.erase(
        std::remove_if(candidates.begin(), candidates.end(),
                       [&](const Candidate& c) {
                         return index.ModuleSetLoadable(c.symbol.module_set);
                       }),
        candidates.end());
  }
  if (candidates.empty()) {
    AppendUnplaced(f, UnplacedReason(symbolizer_, q,
                                     f.length.has_value() && q.modules.empty()),
                   out);
    return true;
  }
  out->append(f.symbol.data(), f.symbol.size());
  if (candidates.size() == 1) {
    AppendLines(candidates[0].symbol, f.offset.value_or(0), out);
    AppendQualifiers(candidates[0].symbol, f.qualifiers, out);
    CountName(candidates[0].symbol, AppendMarker(candidates[0].symbol, out));
    out->append(UncheckedBuildIdNote(f.qualifiers));
    if (options_.append_addresses) {
      absl::StrAppend(out, " <",
                      absl::Hex(candidates[0].address + options_.kaslr_offset,
                                absl::kZeroPad16),
                      ">");
    }
    ++stats_.resolved;
    return true;
  }
  AppendPrintedQualifiers(f.qualifiers, out);
  AppendNote(candidates, out);
  ++stats_.ambiguous;
  CountName(candidates[0].symbol, /*not_unique=*/true);
  return true;
}

bool Rewriter::RewriteBare(const FrameSpan& f, std::string* out) {
  const LookupResult r = symbolizer_.Lookup(f.address - options_.kaslr_offset);
  // Random 64-bit values (register dumps, hashes) are not frames: only
  // addresses inside text symbols count, and the running kernel's BPF
  // programs and trampolines.
  if ((!r.found || !r.symbol.size_exact) && options_.live_frame) {
    if (std::optional<LiveFrame> live =
            options_.live_frame(f.address - options_.kaslr_offset)) {
      ++stats_.frames;
      ++stats_.resolved;
      absl::StrAppend(out, " (now: ", live->text, ")");
      return true;
    }
  }
  if (!r.found || !IsTextType(r.symbol.type)) return false;
  ++stats_.frames;
  ++stats_.resolved;
  absl::StrAppend(out, " (", EscapedName(r.symbol.name()), "+0x",
                  absl::Hex(r.offset), "/0x",
                  absl::Hex(symbolizer_.KernelLength(r.symbol)));
  AppendLines(r.symbol, r.offset, out);
  AppendQualifiers(r.symbol, {}, out);
  CountName(r.symbol, AppendMarker(r.symbol, out));
  out->append(EscapedName(PastSizeMarker(symbolizer_, r.symbol, r.offset)));
  out->push_back(')');
  return true;
}

void Rewriter::AppendLines(const SymbolInfo& s, uint64_t offset,
                           std::string* out) const {
  if (!options_.lines && !options_.decode_stacktrace) return;
  const SourceLines lines = LocateSourceLines(symbolizer_, s, offset);
  if (script_code_ != nullptr) {
    if (lines.state == SourceLines::State::kFound) {
      *script_code_ = DecodeStacktraceText(lines);
    } else if (lines.state != SourceLines::State::kNoLineTable) {
      *script_lines_note_ = absl::StrCat(" (no source lines: ", lines.why, ")");
    }
    return;
  }
  switch (lines.state) {
    case SourceLines::State::kFound:
      absl::StrAppend(out, " (", DecodeStacktraceText(lines), ")");
      return;
    case SourceLines::State::kNoLineTable:
      return;  // said once for the whole input (NoLineTableReason)
    case SourceLines::State::kNotCovered:
    case SourceLines::State::kDamaged:
      absl::StrAppend(out, " (no source lines: ", lines.why, ")");
      return;
  }
}

void Rewriter::AppendQualifiers(const SymbolInfo& s, absl::string_view printed,
                                std::string* out) const {
  std::vector<ModuleBracket> brackets;
  if (!printed.empty()) brackets = ModuleBrackets(printed);
  // A module bracket as printed (with its build id) stays as printed.
  QualifierWriter<StringAppender> w(StringAppender{out});
  for (absl::string_view m : symbolizer_.DisplayModules(s)) {
    absl::string_view text;
    for (const ModuleBracket& b : brackets) {
      if (NormalizeModuleName(b.module) == m) text = b.text;
    }
    if (text.empty()) {
      w.Module(EscapedName(m));
    } else {
      absl::StrAppend(out, " ", text);
    }
  }
  absl::string_view object = symbolizer_.DisplayObject(s);
  if (!object.empty() && options_.full_object_path) {
    object = symbolizer_.index().ObjectPath(s.object);
  }
  w.Object(EscapedName(object));
}

void Rewriter::AppendPrintedQualifiers(absl::string_view qualifiers,
                                       std::string* out) {
  // As printed, without any earlier note.
  for (const ModuleBracket& b : ModuleBrackets(qualifiers)) {
    absl::StrAppend(out, " ", b.text);
  }
  ksym::AppendQualifiers(std::vector<absl::string_view>{},
                         ObjectQualifier(qualifiers), out);
}

bool Rewriter::AppendMarker(const SymbolInfo& s, std::string* out) const {
  const std::string marker = EscapedName(AmbiguityMarker(symbolizer_, s));
  out->append(marker);
  return !marker.empty();
}

void Rewriter::CountName(const SymbolInfo& s, bool not_unique) {
  if (SameNameCount(symbolizer_, s.name()) <= 1) return;
  ++stats_.duplicated;
  if (not_unique) ++stats_.not_unique;
}

void Rewriter::AppendNote(const std::vector<Candidate>& candidates,
                          std::string* out) const {
  // Each listed candidate as a query that selects it (the qualified name,
  // with @0xADDR where that is shared); only the listed ones are worked
  // out, so a name with thousands of copies costs a frame little.
  absl::StrAppend(out, kAmbiguityNotePrefix, candidates.size(),
                  " candidates: ");
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (k > 0) out->append(" | ");
    if (k == options_.max_listed_candidates) {
      out->append("...");
      break;
    }
    out->append(EscapedName(symbolizer_.SelectingQuery(candidates[k].symbol)));
  }
  out->push_back(')');
}

bool IndexMismatchLikely(const RewriteStats& stats) {
  return stats.mismatched >= 2 && stats.mismatched * 10 >= stats.frames;
}

std::string IndexMismatchWarning(const RewriteStats& stats) {
  return absl::StrCat(
      "the index does not match this trace: ", stats.mismatched, " of ",
      stats.frames,
      " kernel frames print another symbol than the index has at their "
      "address (marked \"(mismatch, index: ...)\"); is the index of "
      "another kernel, or from before a reboot or a module reload?");
}

bool ShouldFlushEachLine(int in_fd, int out_fd) {
  struct stat st;
  const bool pipe_in = fstat(in_fd, &st) == 0 && S_ISFIFO(st.st_mode);
  return isatty(out_fd) != 0 || isatty(in_fd) != 0 || pipe_in;
}

namespace {

// fgets that also says how many bytes it read, NUL bytes included: the
// buffer holds '\n' everywhere fgets did not write, so the first '\n' is
// either the line's own (followed by fgets' terminating NUL) or filler
// right after that NUL. Only the bytes the last call wrote are refilled.
class PieceReader {
 public:
  explicit PieceReader(size_t size) : buf_(size, '\n') {}

  // Returns the bytes read, empty at EOF or on error.
  absl::string_view Next(std::FILE* in) {
    std::memset(buf_.data(), '\n', dirty_);
    dirty_ = 0;
    const size_t n = buf_.size();
    if (std::fgets(buf_.data(), static_cast<int>(n), in) == nullptr) return {};
    const char* nl = static_cast<const char*>(std::memchr(buf_.data(), '\n', n));
    size_t got;
    if (nl == nullptr) {
      got = n - 1;  // a full piece without a newline
    } else {
      const size_t p = static_cast<size_t>(nl - buf_.data());
      got = p + 1 < n && buf_[p + 1] == '\0' ? p + 1 : p - 1;
    }
    dirty_ = std::min(n, got + 1);
    return absl::string_view(buf_.data(), got);
  }

 private:
  std::vector<char> buf_;
  size_t dirty_ = 0;
};

}  // namespace

absl::Status RewriteStream(std::FILE* in, std::FILE* out, Rewriter* rewriter,
                           const RewriteStreamOptions& options) {
  PieceReader reader(64 << 10);
  std::string line;
  std::string rewritten;
  uint64_t number = 0;
  uint64_t long_length = 0;  // > 0: copying an over-long line through
  // kernel_offset_from_text: complete lines (with their newline, if any)
  // waiting for an offset line, the first one numbered held_first.
  std::vector<std::string> held;
  size_t held_bytes = 0;
  uint64_t held_first = 0;
  const uint64_t default_offset = rewriter->options().kaslr_offset;
  auto write = [&](absl::string_view text) {
    return std::fwrite(text.data(), 1, text.size(), out) == text.size();
  };
  // Rewrites one complete line (its newline, if any, included) and
  // writes it.
  auto emit = [&](absl::string_view whole) {
    absl::string_view text = whole;
    const bool nl = absl::ConsumeSuffix(&text, "\n");
    const bool cr = absl::ConsumeSuffix(&text, "\r");
    rewritten.clear();
    rewriter->RewriteLine(text, &rewritten);
    if (cr) rewritten.push_back('\r');
    if (nl) rewritten.push_back('\n');
    return write(rewritten);
  };
  // Writes the held lines rewritten with `offset`.
  auto release = [&](uint64_t offset) {
    rewriter->set_kaslr_offset(offset);
    bool ok = true;
    for (const std::string& h : held) ok = ok && emit(h);
    held.clear();
    held_bytes = 0;
    rewriter->set_kaslr_offset(default_offset);
    return ok;
  };
  auto release_unmatched = [&]() {
    if (held.empty()) return true;
    if (options.on_released) {
      options.on_released(held_first, held_first + held.size() - 1);
    }
    return release(default_offset);
  };
  // A complete line: held or written.
  auto complete = [&](absl::string_view whole) {
    if (!options.kernel_offset_from_text) return emit(whole);
    if (held.empty()) held_first = number;
    held.emplace_back(whole);
    held_bytes += whole.size();
    std::optional<KernelOffsetLine> k = ParseKernelOffsetLine(whole);
    if (k.has_value()) {
      if (options.on_kernel_offset) options.on_kernel_offset(number, *k, held_first);
      return release(k->offset);
    }
    if (held_bytes > options.max_held) return release_unmatched();
    return true;
  };
  errno = 0;
  while (true) {
    const absl::string_view piece = reader.Next(in);
    if (piece.empty()) break;
    const bool nl = piece.back() == '\n';
    if (long_length > 0) {
      // Copying an over-long line through, piece by piece.
      long_length += piece.size() - (nl ? 1 : 0);
      if (!write(piece)) break;
    } else {
      line.append(piece.data(), piece.size());
      if (line.size() - (nl ? 1 : 0) > options.max_line) {
        // Too long to rewrite: what came so far goes out unchanged.
        long_length = line.size() - (nl ? 1 : 0);
        const bool ok = release_unmatched() && write(line);
        line.clear();
        if (!ok) break;
      }
    }
    if (!nl) continue;  // more of this line follows (or EOF)
    ++number;
    if (long_length > 0) {
      if (options.on_long_line) options.on_long_line(number, long_length);
      long_length = 0;
    } else {
      if (options.check_source) {
        if (absl::Status st = options.check_source(number); !st.ok()) {
          std::fflush(out);
          return st;
        }
      }
      const bool ok = complete(line);
      line.clear();
      if (!ok) break;
    }
    if (options.flush_each_line && std::fflush(out) != 0) break;
  }
  if (std::ferror(in)) return absl::ErrnoToStatus(errno, "reading input");
  if (std::ferror(out)) return absl::ErrnoToStatus(errno, "writing output");
  // The last line, without its newline.
  if (long_length > 0) {
    ++number;
    if (options.on_long_line) options.on_long_line(number, long_length);
  } else if (!line.empty()) {
    ++number;
    if (options.check_source) {
      if (absl::Status st = options.check_source(number); !st.ok()) {
        std::fflush(out);
        return st;
      }
    }
    if (!complete(line)) return absl::ErrnoToStatus(errno, "writing output");
  }
  // Lines after the last offset line keep the given offset, unannounced
  // when no offset line came at all.
  if (!held.empty()) {
    const bool ok = held_first == 1 ? release(default_offset)
                                    : release_unmatched();
    if (!ok) return absl::ErrnoToStatus(errno, "writing output");
  }
  if (std::fflush(out) != 0) {
    return absl::ErrnoToStatus(errno, "writing output");
  }
  return absl::OkStatus();
}

}  // namespace ksym
