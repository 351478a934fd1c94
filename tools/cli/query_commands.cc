// Commands that answer queries: lookup, resolve, symbolize.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/api/dump_offset.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/glob_resolve.h"
#include "symbolizer/api/text_policy.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/api/line_queries.h"
#include "symbolizer/api/live_pseudo.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/api/static_address.h"
#include "symbolizer/rewriter/kernel_offset.h"
#include "symbolizer/rewriter/rewriter.h"
#include "symbolizer/sources/elf/vmcore_note.h"
#include "tools/cli/command.h"

namespace ksym {
namespace cli {
namespace {

void PutLine(const std::string& line) { std::puts(line.c_str()); }

// The shift of `--kaslr-offset TEXT` on this index; dies when it is not
// a hex number or not this runtime index's offset.
uint64_t KaslrShift(const Symbolizer& s, const std::string& text,
                    const char* command) {
  uint64_t offset;
  if (!ParseAddressText(text, &offset)) {
    Die(kExitUsage, absl::StrCat(command, ": --kaslr-offset: not a hex number: \"",
                                 QuoteForMessage(text), "\""));
  }
  absl::StatusOr<uint64_t> shift = ShiftForKaslrOffset(s.index(), offset);
  if (!shift.ok()) {
    Die(kExitUsage, absl::StrCat(command, ": ", shift.status().message()));
  }
  return *shift;
}

// The shift of `--vmcoreinfo FILE` (a crash dump or its vmcoreinfo text)
// on this index, said on stderr; dies when the dump is not of this index's
// kernel or gives no offset.
uint64_t DumpShiftOf(const Symbolizer& s, const std::string& path,
                     const char* command) {
  absl::StatusOr<Vmcoreinfo> v = ReadVmcoreinfo(path);
  if (!v.ok()) {
    Die(kExitUsage, absl::StrCat(command, ": --vmcoreinfo: ",
                                 QuoteForMessage(v.status().message())));
  }
  absl::StatusOr<DumpShift> d = ShiftFromVmcoreinfo(s, *v);
  if (!d.ok()) {
    Die(kExitUsage, absl::StrCat(command, ": --vmcoreinfo ",
                                 QuoteForMessage(path), ": ",
                                 d.status().message()));
  }
  std::fprintf(stderr, "ksym: %s: %s: %s\n", command,
               QuoteForMessage(path).c_str(), d->summary.c_str());
  return d->shift;
}

int RunLookup(const Args& a) {
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const bool json = a.flag("--json"), all = a.flag("--all");
  const bool link_time = a.flag("--static");
  const bool lines = a.flag("--lines");
  const ObjectForm object_form =
      a.flag("--full-object") ? ObjectForm::kFullPath : ObjectForm::kShortest;
  // --kaslr-offset: the addresses are the running kernel's, the index a
  // static one (or that boot's own).
  uint64_t shift = 0;
  if (a.has("--kaslr-offset") && a.has("--vmcoreinfo")) {
    Die(kExitUsage, "lookup: --kaslr-offset and --vmcoreinfo exclude each other");
  }
  if (a.has("--kaslr-offset")) {
    if (link_time) Die(kExitUsage, "lookup: --static and --kaslr-offset exclude each other");
    shift = KaslrShift(*s, a.value("--kaslr-offset"), "lookup");
  }
  if (a.has("--vmcoreinfo")) {
    if (link_time) Die(kExitUsage, "lookup: --static and --vmcoreinfo exclude each other");
    shift = DumpShiftOf(*s, a.value("--vmcoreinfo"), "lookup");
  }
  // The running kernel's BPF programs and trampolines, never cached.
  std::unique_ptr<LiveOverlay> live = LiveOverlayFor(*s);
  int status = kExitOk;
  std::vector<SymbolInfo> covering;
  auto one = [&](absl::string_view token, absl::string_view where) {
    uint64_t addr;
    if (!ParseAddressText(token, &addr)) {
      std::fprintf(stderr, "ksym: lookup: %.*snot a hex address: \"%s\"\n",
                   static_cast<int>(where.size()), where.data(),
                   QuoteForMessage(token).c_str());
      status = kExitUsage;
      return;
    }
    const uint64_t given = addr;
    if (link_time) {
      absl::StatusOr<uint64_t> runtime = RuntimeFromStatic(s->index(), addr);
      if (!runtime.ok()) Die(kExitError, runtime.status().message());
      addr = *runtime;
    }
    addr -= shift;
    std::vector<std::pair<SymbolInfo, uint64_t>> hits;
    LookupResult r = s->Lookup(addr);
    if (all) {
      const size_t total = s->LookupAll(addr, &covering);
      for (const SymbolInfo& c : covering) hits.push_back({c, addr - c.address});
      if (total > covering.size()) {
        // Never a silently shortened list.
        std::fprintf(stderr,
                     "ksym: lookup: %.*s0x%llx: %zu symbols cover it; only "
                     "the best %zu are listed\n",
                     static_cast<int>(where.size()), where.data(),
                     static_cast<unsigned long long>(given), total,
                     covering.size());
      }
    } else if (r.found) {
      hits.push_back({r.symbol, r.offset});
    }
    if (live != nullptr) {
      if (std::optional<PseudoHit> h = live->Lookup(addr, r)) {
        PutLine(json ? LiveJson(given, *h)
                     : AddressLine(given, LiveFrameText(*h)));
        return;
      }
    }
    if (hits.empty() && status == kExitOk) status = kExitNotFound;
    if (hits.empty()) {
      PutLine(json ? NotFoundJson(given, r.reason)
                   : AddressLine(given, NotFoundFrameText(r.reason)));
    }
    for (const auto& [sym, off] : hits) {
      if (!lines) {
        PutLine(json ? LookupJson(*s, given, sym, off)
                     : AddressLine(given, FrameText(*s, sym, off, object_form)));
        continue;
      }
      const SourceLines l = LocateSourceLines(*s, sym, off);
      if (json) {
        PutLine(LookupJson(*s, given, sym, off, &l));
        continue;
      }
      PutLine(AddressLine(given, FrameText(*s, sym, off, object_form)));
      for (const std::string& t : SourceLineTexts(l)) PutLine(t);
    }
  };
  if (!a.positional.empty()) {
    for (const std::string& p : a.positional) one(p, "");
  } else {
    IndexWatch watch(IndexPathOf(a));
    if (ForEachStdinLine([&](absl::string_view line, uint64_t number) {
      absl::string_view t = absl::StripAsciiWhitespace(line);
      if (t.empty()) return;
      t = t.substr(0, t.find_first_of(" \t"));
      one(t, absl::StrCat("<stdin>:", number, ": "));
    }, &watch) > 0) {
      status = kExitUsage;
    }
  }
  return status;
}

int RunResolve(const Args& a) {
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const bool json = a.flag("--json"), unique = a.flag("--unique");
  int status = kExitOk;
  auto one = [&](const std::string& query) {
    if (IsLineQuery(query)) {
      // FILE:LINE or FUNC:REL_LINE: where the line's code starts.
      absl::StatusOr<LineSites> l = ResolveLineQuery(*s, query);
      if (!l.ok()) {
        std::fprintf(stderr, "ksym: resolve: %s\n",
                     std::string(l.status().message()).c_str());
        status = kExitUsage;
        return;
      }
      if (l->state != LineSites::State::kFound && status == kExitOk) {
        status = kExitNotFound;
      }
      if (unique && l->sites.size() > 1) {
        std::fprintf(stderr,
                     "ksym: resolve: \"%s\" has code at %zu places:\n",
                     QuoteForMessage(query).c_str(), l->sites.size());
        for (const std::string& t : LineSiteTexts(*l)) {
          std::fprintf(stderr, "  %s\n", t.c_str());
        }
        if (status == kExitOk) status = kExitNotFound;
        if (!json) return;
      }
      if (json) {
        PutLine(LineSitesJson(*s, query, *l));
        return;
      }
      if (l->state != LineSites::State::kFound) {
        std::fprintf(stderr, "ksym: resolve: %s\n", LineSitesProblem(*l).c_str());
      }
      for (const std::string& n : l->notes) {
        std::fprintf(stderr, "ksym: resolve: note: %s\n", n.c_str());
      }
      for (const std::string& t : LineSiteTexts(*l)) PutLine(t);
      return;
    }
    absl::StatusOr<std::vector<Candidate>> c = ResolveGlob(*s, query);
    if (!c.ok()) {
      std::fprintf(stderr, "ksym: resolve: %s\n",
                   std::string(c.status().message()).c_str());
      status = kExitUsage;
      return;
    }
    if (c->empty() && status == kExitOk) status = kExitNotFound;
    if (unique && c->size() > 1) {
      std::vector<Candidate> ambiguous;
      absl::StatusOr<Candidate> u = s->ResolveUnique(query, &ambiguous);
      if (u.ok()) {
        // The exactly printed name, or text over data, narrowed it to one.
        *c = {*std::move(u)};
      } else {
        // The candidates go to stderr only: a script reading stdout must
        // not take the first of several for the answer.
        std::fprintf(stderr, "ksym: resolve: %s\n",
                     std::string(u.status().message()).c_str());
        if (status == kExitOk) status = kExitNotFound;
        if (!json) return;
      }
    }
    if (json) {
      PutLine(ResolveJson(*s, query, *c));
      return;
    }
    if (c->empty()) {
      std::fprintf(stderr, "ksym: resolve: no symbol matches \"%s\"\n",
                   QuoteForMessage(query).c_str());
    }
    for (const Candidate& cand : *c) {
      PutLine(AddressLine(cand.address, ResolvedText(*s, cand)));
    }
  };
  if (!a.positional.empty()) {
    for (const std::string& q : a.positional) one(q);
  } else {
    IndexWatch watch(IndexPathOf(a));
    if (ForEachStdinLine([&](absl::string_view line, uint64_t) {
      absl::string_view t = absl::StripAsciiWhitespace(line);
      if (!t.empty()) one(std::string(t));
    }, &watch) > 0) {
      status = kExitUsage;
    }
  }
  return status;
}

int RunSymbolize(const Args& a) {
  if (!a.positional.empty()) {
    Die(kExitUsage, "symbolize: reads stdin; no arguments expected");
  }
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  RewriteOptions options;
  options.append_addresses = a.flag("--addresses");
  options.full_object_path = a.flag("--full-object");
  options.decode_stacktrace = a.flag("--decode-stacktrace");
  options.lines = a.flag("--lines") || options.decode_stacktrace;
  if (const std::string warning = LinesWarning(s->index());
      options.lines && !warning.empty()) {
    // Said once here; the frames it names pass without lines.
    std::fprintf(stderr, "ksym: symbolize: --lines: %s\n", warning.c_str());
  }
  RewriteStreamOptions stream;
  if (a.has("--kaslr-offset") && a.has("--vmcoreinfo")) {
    Die(kExitUsage, "symbolize: --kaslr-offset and --vmcoreinfo exclude each other");
  }
  if (a.has("--kaslr-offset")) {
    options.kaslr_offset = KaslrShift(*s, a.value("--kaslr-offset"), "symbolize");
  } else if (a.has("--vmcoreinfo")) {
    options.kaslr_offset = DumpShiftOf(*s, a.value("--vmcoreinfo"), "symbolize");
  } else if (s->index().address_space() == AddressSpace::kStatic) {
    // A static index told no offset: an oops's "Kernel Offset:" line says
    // it, after the frames it applies to.
    stream.kernel_offset_from_text = true;
    stream.on_kernel_offset = [](uint64_t line, const KernelOffsetLine& k,
                                 uint64_t first) {
      std::fprintf(stderr, "ksym: %s\n",
                   KernelOffsetMessage("<stdin>", line, k, first).c_str());
    };
    stream.on_released = [](uint64_t first, uint64_t last) {
      std::fprintf(stderr, "ksym: %s\n",
                   UnplacedLinesMessage("<stdin>", first, last).c_str());
    };
  }
  // The running kernel's BPF programs and trampolines, never cached.
  std::unique_ptr<LiveOverlay> live = LiveOverlayFor(*s);
  if (live != nullptr) options.live_frame = RewriterLiveFrames(live.get());
  Rewriter rewriter(*s, options);
  // Flushed per line from a pipe or terminal, so `dmesg -w | ksym
  // symbolize` and `cat trace_pipe | ksym symbolize` show each line as it
  // comes.
  stream.flush_each_line = ShouldFlushEachLine(0, 1);
  stream.max_line = kMaxInputLine;
  // An index rewritten in place under this stream stops it (a replaced one
  // is said once and read on as opened).
  IndexWatch watch(IndexPathOf(a));
  stream.check_source = [&](uint64_t line) {
    if (!IndexWatch::Due(line, stream.flush_each_line)) return absl::OkStatus();
    absl::Status st = watch.Check(line);
    if (std::optional<std::string> n = watch.replaced_notice()) {
      std::fprintf(stderr, "ksym: %s\n", n->c_str());
    }
    return st;
  };
  stream.on_long_line = [](uint64_t number, uint64_t length) {
    std::fprintf(stderr, "ksym: %s\n",
                 CopiedLineMessage("<stdin>", number, length).c_str());
  };
  absl::Status st = RewriteStream(stdin, stdout, &rewriter, stream);
  if (a.flag("--stats")) {
    const RewriteStats& r = rewriter.stats();
    std::fprintf(stderr,
                 "ksym: %llu lines, %llu kernel frames: %llu resolved, %llu "
                 "mismatched, %llu ambiguous, %llu unresolved; %llu with a "
                 "duplicated name, %llu of them still not unique\n",
                 static_cast<unsigned long long>(r.lines),
                 static_cast<unsigned long long>(r.frames),
                 static_cast<unsigned long long>(r.resolved),
                 static_cast<unsigned long long>(r.mismatched),
                 static_cast<unsigned long long>(r.ambiguous),
                 static_cast<unsigned long long>(r.unresolved),
                 static_cast<unsigned long long>(r.duplicated),
                 static_cast<unsigned long long>(r.not_unique));
  }
  if (IndexMismatchLikely(rewriter.stats())) {
    std::fprintf(stderr, "ksym: warning: %s\n",
                 IndexMismatchWarning(rewriter.stats()).c_str());
  }
  if (!st.ok()) Die(kExitError, st.message());
  return kExitOk;
}

}  // namespace

const Command& LookupCommand() {
  static const Command c{
      "lookup", "symbolize addresses (arguments, or one per line on stdin)",
      R"(usage: ksym lookup [-i INDEX] [--json] [--all] [--static] [--full-object]
                   [--kaslr-offset OFF | --vmcoreinfo FILE]
                   [--lines] [ADDR...]

Symbolizes each ADDR (hex, with or without 0x). Without ADDR, reads
stdin: the first word of each line is the address.
Prints `ADDR name+0xOFF/0xLEN [mod] {obj.o}`, or `ADDR ?? (reason)`;
LEN is what the kernel's %pS prints (the distance to the next symbol), so
`scripts/faddr2line vmlinux FRAME` takes the frame; --json also has the
ELF size.
  --json   one JSON object per address (JSON Lines)
  --all    every symbol covering the address (aliases, nesting), not one
  --static ADDRs are link-time (vmlinux) addresses: on a runtime index they
           are moved by its KASLR offset (an error when it is unknown)
  --full-object  write {obj} as the object's path in the build
           ({kernel/events/core.o}), not the shortest suffix that tells the
           duplicates apart ({core.o}); JSON always has both
  --kaslr-offset OFF  ADDRs are the running kernel's, whose KASLR offset is
           OFF (hex; `Kernel Offset:` of an oops, or _text in its kallsyms
           minus _text in System.map): on a static index they are moved
           back by OFF; a runtime index must be of that boot
  --vmcoreinfo FILE  ADDRs are from a crash dump: FILE is the dump (an ELF
           core: /proc/vmcore, a saved vmcore, /proc/kcore) or its
           vmcoreinfo text (`makedumpfile -g`); its KERNELOFFSET, checked
           against SYMBOL(_stext), is the KASLR offset, and its OSRELEASE and
           BUILD-ID must be the index's kernel (said on stderr)
  --lines  after each frame, its source lines as `llvm-symbolizer --inlines`
           gives them, innermost first: `  FUNCTION FILE:LINE:COL`, marked
           ` (inlined)` on each function inlined into the next one (paths
           under the build prefix); `  ?? (WHY)` when the index has no line
           table (built with --no-lines or without the vmlinux's DWARF) or
           none covers the address. JSON: "location" {function, file,
           prefix, line, column} and "inlined" [the functions it was inlined
           into, innermost first, with their call sites], or "location": null
           and "location_missing": WHY
On a runtime index, JSON objects carry `static_start`: the vmlinux address
of a core-kernel symbol (null for modules and absolute symbols).
Exit 1 when some address has no symbol.
)",
      {"--index", "--kaslr-offset", "--vmcoreinfo"},
      {"--json", "--all", "--static", "--full-object", "--lines"},
      RunLookup};
  return c;
}

const Command& ResolveCommand() {
  static const Command c{
      "resolve", "find the address(es) of a (qualified) symbol name",
      R"(usage: ksym resolve [-i INDEX] [--json] [--unique] [QUERY...]

Prints `ADDRESS qualified-name` for every symbol matching each QUERY
(stdin, one per line, when none are given). QUERY forms:
  name   name [mod]...   name {obj}   mod:name   name+0xOFF   name+0xOFF/0xLEN
  vfs_rea*   init_onc? [ext4]   (globs in the name: every matching name)
  fs/inode.c:123   inode_init_once:2   (a source line: see below)
`{obj}` matches a path suffix at / boundaries; LEN keeps the duplicates of
that size, as scripts/faddr2line does.
FILE:LINE (a '.' or '/' before the ':') and FUNC:REL_LINE (the line counted
from FUNC's first line, as perf probe writes it) list where that line's
code starts, from the index's line table: one `ADDRESS name+0xOFF [mod]
{obj} (FILE:LINE:COL in FUNC, inlined into CALLER)` line per place, each
inlined copy included. FILE is a path suffix under the build prefix at /
boundaries. A line without code is said, with the nearest lines that have
code.
  --json     one JSON object per query: {"query":..,"candidates":[..]}
  --unique   exit 1 unless exactly one matches, printing nothing on stdout
             and a query selecting each candidate on stderr (--json still
             prints the record with every candidate)
Exit 1 when a query matches nothing.
)",
      {"--index"},
      {"--json", "--unique"},
      RunResolve};
  return c;
}

const Command& SymbolizeCommand() {
  static const Command c{
      "symbolize", "rewrite stack dumps, perf script and ftrace output (stdin)",
      R"(usage: ksym symbolize [-i INDEX] [--kaslr-offset OFF | --vmcoreinfo FILE] [--addresses] [--stats] [--full-object] [--lines | --decode-stacktrace]

Copies stdin to stdout, making every kernel frame unambiguous: perf script
frames and old [<ADDR>] traces get the symbol at their address with its
qualifiers (`__handle_mm_fault+0x59 {memory.o}`); oops frames
`name+0xOFF/0xLEN [mod]` are resolved (LEN narrows duplicates) and
qualified, or marked ` (ambiguous, N candidates: ...)`; ftrace function
names likewise; bare kernel addresses inside text get ` (name+0xOFF/0xLEN)`.
A frame whose printed name or offset disagrees with the index at its
address is never renamed: it keeps its text and gets
` (mismatch, index: name+0xOFF/0xLEN ...)`; when many do, stderr warns
that the index does not match this trace. A frame the index cannot place
(unknown name, no copy of that length, offset past the length, a [mod]
it does not have, a [mod BUILDID] of another build than its module's)
keeps its text and gets ` (not placed: WHY)`; a [mod BUILDID] frame placed
where the index knows no build-id for mod gets ` (build-id not checked: ...)`.
Everything else passes through
byte for byte, flushed per line when stdin is a pipe or terminal.
On a static (vmlinux) index, the addresses of a KASLR kernel are moved
back by its offset: --kaslr-offset OFF (hex), else the `Kernel Offset:
0x... from 0x...` line a panic ends with (its report's lines are held
until it comes; stderr says which lines it was applied to; give
--kaslr-offset 0 to stream line by line).
  --kaslr-offset OFF  the trace's KASLR offset (see above)
  --vmcoreinfo FILE   the trace is from a crash dump: its offset from the
                dump's vmcoreinfo, as `lookup --vmcoreinfo` takes it
  --addresses   also append the resolved address to oops frames
  --full-object write {obj} as the object's path in the build
                ({kernel/events/core.o}), not the shortest suffix that tells
                the duplicates apart ({core.o})
  --stats       print frame counts (resolved, mismatched, ambiguous,
                unresolved: marked not placed) on stderr at the end
  --lines       after the symbol of each frame placed on one symbol, its
                source lines as scripts/decode_stacktrace.sh prints them:
                ` (FILE:LINE CALLER-FILE:LINE ...)`, innermost first, for
                the right copy of a duplicated name; ` (no source lines:
                WHY)` for frames the line tables do not hold (a module
                whose debug .ko was not read, code without DWARF); said
                once on stderr when the index has no line table of the
                vmlinux (and whether the modules' lines are there)
  --decode-stacktrace  print every line as the kernel's
                scripts/decode_stacktrace.sh does (`? name (FILE:LINE
                ...) mod`: no [<ADDR>], offset or {obj}, blanks squeezed,
                timestamps as `[%13s`), with the right copy's lines; a note
                the script has no place for (not placed, ambiguous, no
                source lines) ends the line
)",
      {"--index", "--kaslr-offset", "--vmcoreinfo"},
      {"--addresses", "--stats", "--full-object", "--lines",
       "--decode-stacktrace"},
      RunSymbolize};
  return c;
}

}  // namespace cli
}  // namespace ksym
