// ksym: build and query kernel symbol indexes. See README.md for usage.
//
//   ksym build [--kallsyms FILE] [--system-map FILE] [-o INDEX]
//   ksym lookup [-i INDEX] [--json] [ADDR...]
//   ksym resolve [-i INDEX] [--json] [--unique] [QUERY...]
//   ksym list | info [--json] | verify  [-i INDEX]
//
// Exit codes: 0 success; 1 a lookup/resolve found nothing (or was
// ambiguous with --unique), or the index failed verification; 2 usage
// error; 3 any other error (unreadable input, corrupt index, ...).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/builder/running_kernel.h"
#include "symbolizer/index/writer.h"
#include "proto/convert.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"
#include "symbolizer/sources/file_reader.h"
#include "tools/json_writer.h"

namespace ksym {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;

constexpr char kUsage[] =
    R"(usage: ksym COMMAND [OPTIONS] [ARGS]

Unique, fast kernel symbol names: every symbol as `name [modules] {object}`
(the /proc/kallmodsyms convention), address -> symbol and name -> address.

commands:
  build    build an index (default: the running kernel, from /proc/kallsyms)
  lookup   symbolize addresses (arguments, or one per line on stdin)
  resolve  find the address(es) of a (qualified) symbol name
  symbolize  rewrite stack dumps, perf script and ftrace output (stdin)
  list     print every symbol in /proc/kallmodsyms format
  info     what an index holds: counts, duplicates, segments, sections
  verify   check an index's checksums and structure
  export   write the index as a protobuf SymbolTable (proto/ksym.proto)
  import   build an index from an exported SymbolTable

Without -i INDEX, commands use the running kernel's cached index
($KSYM_INDEX, else ~/.cache/ksym/RELEASE.ksym), building it when missing.
`ksym COMMAND --help` describes each command.
)";

struct CommandHelp {
  const char* name;
  const char* text;
};

constexpr CommandHelp kHelp[] = {
    {"build", R"(usage: ksym build [SOURCES] [-o INDEX] [-q]

Builds an index. With no source, indexes the running kernel from
/proc/kallsyms (needs root, or kernel.kptr_restrict=0, to see addresses).
Sources combine; the most precise facts win:
  --vmlinux FILE      vmlinux with .symtab (exact sizes) and DWARF (objects)
  --system-map FILE   System.map; checked against vmlinux, or with
                      --kallsyms used to compute the KASLR offset
  --kallsyms FILE     /proc/kallsyms or a saved copy (runtime addresses,
                      loadable modules)
  --linker-map FILE   vmlinux.map (GNU ld or lld -Map): address -> object
  --modules-dir DIR   /lib/modules/RELEASE: modules.builtin, .modinfo,
                      .objs, .ranges: object -> built-in module
  --build-dir DIR     a kernel build tree: all of the above plus the kbuild
                      .cmd files, found inside it
  -o, --output INDEX  where to write (default: the running kernel's cache)
  -q, --quiet         no progress or summary on stderr
Names that stay ambiguous are listed on stderr, never guessed.
)"},
    {"lookup", R"(usage: ksym lookup [-i INDEX] [--json] [ADDR...]

Symbolizes each ADDR (hex, with or without 0x). Without ADDR, reads
stdin: the first word of each line is the address.
Prints `ADDR name+0xOFF/0xSIZE [mod] {obj.o}`, or `ADDR ?? (reason)`.
  --json   one JSON object per address (JSON Lines)
  --all    every symbol covering the address (aliases, nesting), not one
Exit 1 when some address has no symbol.
)"},
    {"resolve", R"(usage: ksym resolve [-i INDEX] [--json] [--unique] [QUERY...]

Prints `ADDRESS qualified-name` for every symbol matching each QUERY
(stdin, one per line, when none are given). QUERY forms:
  name   name [mod]...   name {obj}   mod:name   name+0xOFF   name+0xOFF/0xLEN
`{obj}` matches a path suffix at / boundaries; LEN keeps the duplicates of
that size, as scripts/faddr2line does.
  --json     one JSON object per query: {"query":..,"candidates":[..]}
  --unique   exit 1 (listing candidates on stderr) unless exactly one matches
Exit 1 when a query matches nothing.
)"},
    {"symbolize", R"(usage: ksym symbolize [-i INDEX] [--addresses] [--stats]

Copies stdin to stdout, making every kernel frame unambiguous: perf script
frames and old [<ADDR>] traces get the symbol at their address with its
qualifiers (`__handle_mm_fault+0x59 {memory.o}`); oops frames
`name+0xOFF/0xLEN [mod]` are resolved (LEN narrows duplicates) and
qualified, or marked ` (ambiguous, N candidates: ...)`; ftrace function
names likewise; bare kernel addresses inside text get ` (name+0xOFF/0xSIZE)`.
Everything else passes through byte for byte.
  --addresses   also append the resolved address to oops frames
  --stats       print frame counts on stderr at the end
)"},
    {"list", R"(usage: ksym list [-i INDEX]

Prints every symbol as /proc/kallmodsyms would:
  ffffffff97d91a80 t cn23xx_vf_mbox_thread\t[liquidio] [liquidio_vf] {cn23xx_vf_device.o}
)"},
    {"info", R"(usage: ksym info [-i INDEX] [--json]

Describes an index: kernel identity, symbol counts, duplicate names
before and after disambiguation, address segments, section sizes.
)"},
    {"export", R"(usage: ksym export [-i INDEX] -o FILE [--format=binary|textproto|json]

Writes the index as a protobuf SymbolTable (proto/ksym.proto) that trace
tools can ship next to a trace. The format defaults from FILE's extension
(.json, .textproto/.txtpb/.pbtxt, else binary). `-o -` writes stdout.
)"},
    {"import", R"(usage: ksym import FILE -o INDEX [--format=binary|textproto|json]

Builds an index from an exported SymbolTable, validating every field.
)"},
    {"verify", R"(usage: ksym verify [-i INDEX]

Checks every section checksum and the index structure. Exit 1 if damaged.
)"},
};

void Die(int code, absl::string_view message) {
  std::fprintf(stderr, "ksym: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::exit(code);
}

// Parsed command line of one subcommand.
struct Args {
  std::map<std::string, std::string> values;  // --flag VALUE
  std::map<std::string, bool> flags;          // --flag
  std::vector<std::string> positional;
};

// `value_flags` take a value; `bool_flags` don't. Short aliases map to long
// names. "--" ends options.
Args ParseArgs(const std::string& command, int argc, char** argv,
               const std::vector<std::string>& value_flags,
               const std::vector<std::string>& bool_flags) {
  const std::map<std::string, std::string> aliases = {
      {"-i", "--index"}, {"-o", "--output"}, {"-q", "--quiet"},
      {"-h", "--help"}};
  Args args;
  bool options_done = false;
  for (int k = 0; k < argc; ++k) {
    std::string a = argv[k];
    if (options_done || a.size() < 2 || a[0] != '-' ||
        (a[1] != '-' && !aliases.count(a))) {
      args.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos && a[1] == '-') {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    if (aliases.count(a)) a = aliases.at(a);
    if (a == "--help") {
      for (const CommandHelp& h : kHelp) {
        if (command == h.name) std::fputs(h.text, stdout);
      }
      std::exit(kExitOk);
    }
    bool is_value = false, is_bool = false;
    for (const std::string& f : value_flags) is_value |= f == a;
    for (const std::string& f : bool_flags) is_bool |= f == a;
    if (is_value) {
      if (!has_value) {
        if (k + 1 >= argc) {
          Die(kExitUsage, absl::StrCat(command, ": ", a, " needs a value"));
        }
        value = argv[++k];
      }
      args.values[a] = value;
    } else if (is_bool && !has_value) {
      args.flags[a] = true;
    } else {
      Die(kExitUsage, absl::StrCat(command, ": unknown option ", argv[k],
                                   " (see ksym ", command, " --help)"));
    }
  }
  return args;
}

std::string DefaultIndexPath(const KernelIdentity& id) {
  if (const char* env = std::getenv("KSYM_INDEX"); env && *env) return env;
  std::string dir;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    dir = absl::StrCat(x, "/ksym");
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dir = absl::StrCat(h, "/.cache/ksym");
  } else {
    dir = "/tmp/ksym";
  }
  std::string name = id.release.empty() ? "kernel" : id.release;
  if (!id.build_id.empty()) absl::StrAppend(&name, "-", id.build_id.substr(0, 12));
  return absl::StrCat(dir, "/", name, ".ksym");
}

absl::Status MakeParentDirs(const std::string& path) {
  for (size_t p = path.find('/', 1); p != std::string::npos;
       p = path.find('/', p + 1)) {
    std::string dir = path.substr(0, p);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat(dir, ": cannot create"));
    }
  }
  return absl::OkStatus();
}

// Progress on stderr when it is a terminal: one line, rewritten in place.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(2)) {}
  ~Progress() { Clear(); }
  void Update(uint64_t done, uint64_t total, absl::string_view what) {
    if (!enabled_) return;
    std::string line(what);
    if (total > 0) absl::StrAppendFormat(&line, " %d%%", done * 100 / total);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    shown_ = true;
  }
  void Clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

absl::StatusOr<std::string> BuildIndex(const BuildInputs& in,
                                       std::string output, bool quiet) {
  Progress progress(!quiet);
  const absl::Time start = absl::Now();
  absl::StatusOr<BuildOutput> out = BuildCatalog(
      in, [&](uint64_t d, uint64_t t, absl::string_view w) {
        progress.Update(d, t, w);
      });
  if (!out.ok()) return out.status();
  progress.Update(0, 0, "writing index");
  absl::StatusOr<std::string> bytes = SerializeIndex(out->catalog);
  if (!bytes.ok()) return bytes.status();
  if (output.empty()) output = DefaultIndexPath(out->catalog.identity);
  if (absl::Status s = MakeParentDirs(output); !s.ok()) return s;
  if (absl::Status s = WriteFileAtomically(output, *bytes); !s.ok()) return s;
  progress.Clear();
  if (!quiet) {
    const Catalog& c = out->catalog;
    std::fprintf(stderr, "ksym: wrote %s: %zu symbols, %zu bytes (%.1f/symbol) in %s\n",
                 output.c_str(), c.symbols.size(), bytes->size(),
                 c.symbols.empty() ? 0.0
                                   : static_cast<double>(bytes->size()) /
                                         c.symbols.size(),
                 absl::FormatDuration(absl::Now() - start).c_str());
    for (const std::string& note : out->notes) {
      std::fprintf(stderr, "ksym: %s\n", note.c_str());
    }
    for (const std::string& warning : out->warnings) {
      std::fprintf(stderr, "ksym: warning: %s\n", warning.c_str());
    }
    const AttributionStats& at = out->attribution;
    std::fprintf(stderr,
                 "ksym: %zu text symbols: %zu with an object, %zu with a "
                 "built-in or loadable module\n",
                 at.text_symbols, at.text_with_object, at.text_with_module);
    const DisambiguationReport& r = out->report;
    std::fprintf(stderr,
                 "ksym: duplicate text names: %zu; after module sets: %zu; "
                 "still ambiguous: %zu\n",
                 r.duplicate_names_before, r.duplicate_names_after_modules,
                 r.ambiguous.size());
    size_t shown = 0;
    for (const AmbiguousName& a : r.ambiguous) {
      if (++shown > 10) {
        std::fprintf(stderr, "ksym:   ... and %zu more (ksym info lists them)\n",
                     r.ambiguous.size() - 10);
        break;
      }
      std::fprintf(stderr, "ksym:   ambiguous: %s (%zu symbols): %s\n",
                   a.qualified.c_str(), a.addresses.size(), a.reason.c_str());
    }
  }
  return output;
}

// Opens -i INDEX, or the running kernel's cached index (built if missing).
std::unique_ptr<Symbolizer> OpenIndex(const Args& args,
                                      IndexOptions options = {}) {
  std::string path;
  if (auto it = args.values.find("--index"); it != args.values.end()) {
    path = it->second;
  } else {
    path = DefaultIndexPath(RunningKernelIdentity());
    if (access(path.c_str(), F_OK) != 0) {
      std::fprintf(stderr, "ksym: no index for the running kernel yet; "
                           "building %s\n", path.c_str());
      absl::StatusOr<std::string> built = BuildIndex({}, path, false);
      if (!built.ok()) Die(kExitError, built.status().message());
    }
  }
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = Symbolizer::Open(path, options);
  if (!s.ok()) Die(kExitError, s.status().message());
  return *std::move(s);
}

std::string Hex(uint64_t v) { return absl::StrCat("0x", absl::Hex(v)); }

void AddSymbolFields(const Symbolizer& s, const SymbolInfo& sym, JsonLine& j) {
  j.Field("name", sym.name())
      .Field("qualified", s.QualifiedName(sym))
      .Field("start", Hex(sym.address))
      .Field("size", sym.size)
      .Bool("size_exact", sym.size_exact)
      .Field("type", absl::string_view(&sym.type, 1))
      .Strings("modules", s.DisplayModules(sym));
  absl::string_view obj = s.index().ObjectPath(sym.object);
  if (obj.empty()) {
    j.Null("object");
  } else {
    j.Field("object", obj);
  }
  absl::string_view ann = s.DisplayObject(sym);
  if (ann.empty()) {
    j.Null("annotation");
  } else {
    j.Field("annotation", ann);
  }
}

// "init_once+0x12/0x40 [rapl] {inode.o}"
std::string FrameText(const Symbolizer& s, const SymbolInfo& sym,
                      uint64_t offset) {
  std::string out = absl::StrCat(sym.name(), "+0x", absl::Hex(offset), "/0x",
                                 absl::Hex(sym.size));
  for (absl::string_view m : s.DisplayModules(sym)) absl::StrAppend(&out, " [", m, "]");
  absl::string_view obj = s.DisplayObject(sym);
  if (!obj.empty()) absl::StrAppend(&out, " {", obj, "}");
  return out;
}

bool ParseAddress(absl::string_view text, uint64_t* out) {
  absl::ConsumePrefix(&text, "0x") || absl::ConsumePrefix(&text, "0X");
  return !text.empty() && text.size() <= 16 && absl::SimpleHexAtoi(text, out);
}

// Calls f(line, line_number) for each stdin line.
template <typename F>
void ForEachStdinLine(F f) {
  std::string line;
  int number = 0;
  while (std::getline(std::cin, line)) f(line, ++number);
}

int CmdBuild(int argc, char** argv) {
  Args a = ParseArgs("build", argc, argv,
                     {"--kallsyms", "--system-map", "--vmlinux",
                      "--linker-map", "--modules-dir", "--build-dir",
                      "--output"},
                     {"--quiet"});
  if (!a.positional.empty()) {
    Die(kExitUsage, absl::StrCat("build: unexpected argument \"",
                                 a.positional[0], "\" (see ksym build --help)"));
  }
  BuildInputs in;
  in.kallsyms_path = a.values["--kallsyms"];
  in.system_map_path = a.values["--system-map"];
  in.vmlinux_path = a.values["--vmlinux"];
  in.linker_map_path = a.values["--linker-map"];
  in.modules_dir = a.values["--modules-dir"];
  in.build_dir = a.values["--build-dir"];
  absl::StatusOr<std::string> out =
      BuildIndex(in, a.values["--output"], a.flags["--quiet"]);
  if (!out.ok()) Die(kExitError, out.status().message());
  return kExitOk;
}

int CmdLookup(int argc, char** argv) {
  Args a = ParseArgs("lookup", argc, argv, {"--index"}, {"--json", "--all"});
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const bool json = a.flags["--json"], all = a.flags["--all"];
  int status = kExitOk;
  std::vector<SymbolInfo> covering;
  auto one = [&](absl::string_view token, absl::string_view where) {
    uint64_t addr;
    if (!ParseAddress(token, &addr)) {
      std::fprintf(stderr, "ksym: lookup: %.*snot a hex address: \"%.*s\"\n",
                   static_cast<int>(where.size()), where.data(),
                   static_cast<int>(token.size()), token.data());
      status = kExitUsage;
      return;
    }
    std::vector<std::pair<SymbolInfo, uint64_t>> hits;
    LookupResult r = s->Lookup(addr);
    if (all) {
      s->LookupAll(addr, &covering);
      for (const SymbolInfo& c : covering) hits.push_back({c, addr - c.address});
    } else if (r.found) {
      hits.push_back({r.symbol, r.offset});
    }
    if (hits.empty() && status == kExitOk) status = kExitNotFound;
    if (json) {
      if (hits.empty()) {
        JsonLine j;
        j.Field("address", Hex(addr)).Bool("found", false)
            .Field("reason", NotFoundReasonText(r.reason));
        std::puts(j.Finish().c_str());
      }
      for (const auto& [sym, off] : hits) {
        JsonLine j;
        j.Field("address", Hex(addr)).Bool("found", true);
        AddSymbolFields(*s, sym, j);
        j.Field("offset", off);
        std::puts(j.Finish().c_str());
      }
      return;
    }
    if (hits.empty()) {
      std::printf("%016llx ?? (%s)\n", static_cast<unsigned long long>(addr),
                  NotFoundReasonText(r.reason));
    }
    for (const auto& [sym, off] : hits) {
      std::printf("%016llx %s\n", static_cast<unsigned long long>(addr),
                  FrameText(*s, sym, off).c_str());
    }
  };
  if (!a.positional.empty()) {
    for (const std::string& p : a.positional) one(p, "");
  } else {
    ForEachStdinLine([&](const std::string& line, int number) {
      absl::string_view t = absl::StripAsciiWhitespace(line);
      if (t.empty()) return;
      t = t.substr(0, t.find_first_of(" \t"));
      one(t, absl::StrCat("<stdin>:", number, ": "));
    });
  }
  return status;
}

int CmdResolve(int argc, char** argv) {
  Args a = ParseArgs("resolve", argc, argv, {"--index"}, {"--json", "--unique"});
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const bool json = a.flags["--json"], unique = a.flags["--unique"];
  int status = kExitOk;
  auto one = [&](const std::string& query) {
    absl::StatusOr<std::vector<Candidate>> c = s->Resolve(query);
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
      std::fprintf(stderr, "ksym: resolve: %s\n",
                   std::string(u.status().message()).c_str());
      if (status == kExitOk) status = kExitNotFound;
    }
    if (json) {
      std::string list = "[";
      for (const Candidate& cand : *c) {
        JsonLine j;
        AddSymbolFields(*s, cand.symbol, j);
        j.Field("target", Hex(cand.address));
        if (list.size() > 1) list.push_back(',');
        list += j.Finish();
      }
      list.push_back(']');
      JsonLine j;
      j.Field("query", query).Raw("candidates", list);
      std::puts(j.Finish().c_str());
      return;
    }
    if (c->empty()) {
      std::fprintf(stderr, "ksym: resolve: no symbol matches \"%s\"\n",
                   query.c_str());
    }
    for (const Candidate& cand : *c) {
      std::printf("%016llx %s\n", static_cast<unsigned long long>(cand.address),
                  s->QualifiedName(cand.symbol).c_str());
    }
  };
  if (!a.positional.empty()) {
    for (const std::string& q : a.positional) one(q);
  } else {
    ForEachStdinLine([&](const std::string& line, int) {
      absl::string_view t = absl::StripAsciiWhitespace(line);
      if (!t.empty()) one(std::string(t));
    });
  }
  return status;
}

int CmdSymbolize(int argc, char** argv) {
  Args a = ParseArgs("symbolize", argc, argv, {"--index"},
                     {"--addresses", "--stats"});
  if (!a.positional.empty()) {
    Die(kExitUsage, "symbolize: reads stdin; no arguments expected");
  }
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  RewriteOptions options;
  options.append_addresses = a.flags["--addresses"];
  Rewriter rewriter(*s, options);
  // Line-buffered when a person watches, so `dmesg -w | ksym symbolize`
  // shows each line as it comes.
  absl::Status st = RewriteStream(stdin, stdout, &rewriter,
                                  /*flush_each_line=*/isatty(1) != 0);
  if (a.flags["--stats"]) {
    const RewriteStats& r = rewriter.stats();
    std::fprintf(stderr,
                 "ksym: %llu lines, %llu kernel frames: %llu resolved, %llu "
                 "corrected, %llu ambiguous, %llu unresolved\n",
                 static_cast<unsigned long long>(r.lines),
                 static_cast<unsigned long long>(r.frames),
                 static_cast<unsigned long long>(r.resolved),
                 static_cast<unsigned long long>(r.corrected),
                 static_cast<unsigned long long>(r.ambiguous),
                 static_cast<unsigned long long>(r.unresolved));
  }
  if (!st.ok()) Die(kExitError, st.message());
  return kExitOk;
}

int CmdList(int argc, char** argv) {
  Args a = ParseArgs("list", argc, argv, {"--index"}, {});
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const uint64_t n = s->index().symbol_count();
  std::string buf;
  for (uint64_t i = 0; i < n; ++i) {
    buf += s->KallmodsymsLine(s->Symbol(static_cast<uint32_t>(i)));
    buf.push_back('\n');
    if (buf.size() > (1 << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  return std::ferror(stdout) ? kExitError : kExitOk;
}

int CmdInfo(int argc, char** argv) {
  Args a = ParseArgs("info", argc, argv, {"--index"}, {"--json"});
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const IndexReader& r = s->index();
  const uint64_t n = r.symbol_count();
  // Duplicate text names: plain, and by qualified name.
  absl::flat_hash_map<std::string, uint32_t> plain, qualified;
  uint64_t text = 0, with_module = 0, with_object = 0, exact = 0;
  for (uint64_t i = 0; i < n; ++i) {
    SymbolInfo sym = s->Symbol(static_cast<uint32_t>(i));
    exact += sym.size_exact;
    if (!IsTextType(sym.type)) continue;
    ++text;
    with_module += sym.module_set != kNoModules;
    with_object += sym.object != format::kNoObjectId;
    ++plain[std::string(sym.name())];
    ++qualified[s->QualifiedName(sym)];
  }
  uint64_t dup_before = 0, dup_after = 0, dup_after_symbols = 0;
  for (const auto& [k, v] : plain) dup_before += v > 1;
  std::vector<std::string> still;
  for (const auto& [k, v] : qualified) {
    if (v > 1) {
      ++dup_after;
      dup_after_symbols += v;
      still.push_back(k);
    }
  }
  std::sort(still.begin(), still.end());
  const char* space =
      r.address_space() == AddressSpace::kRuntime ? "runtime" : "static";
  if (a.flags["--json"]) {
    std::string segs = "[", secs = "[", amb = "[";
    for (const auto& g : r.segments()) {
      JsonLine j;
      j.Field("base", Hex(g.base)).Field("first", g.first).Field("count", g.count);
      if (segs.size() > 1) segs.push_back(',');
      segs += j.Finish();
    }
    for (const SectionInfo& x : r.sections()) {
      JsonLine j;
      j.Field("name", x.name).Field("offset", x.offset).Field("size", x.size);
      if (secs.size() > 1) secs.push_back(',');
      secs += j.Finish();
    }
    for (const std::string& q : still) {
      if (amb.size() > 1) amb.push_back(',');
      AppendJsonString(&amb, q);
    }
    segs.push_back(']');
    secs.push_back(']');
    amb.push_back(']');
    JsonLine j;
    j.Field("release", r.release()).Field("build_id", r.build_id())
        .Field("arch", r.arch()).Field("address_space", space)
        .Field("kaslr_offset", Hex(static_cast<uint64_t>(r.kaslr_offset())))
        .Field("file_size", r.file_size()).Field("symbols", n)
        .Field("text_symbols", text).Field("exact_sizes", exact)
        .Field("text_with_module", with_module)
        .Field("text_with_object", with_object)
        .Field("module_sets", r.module_set_count() - 1)
        .Field("objects", r.object_count())
        .Field("duplicate_text_names", dup_before)
        .Field("ambiguous_qualified_names", dup_after)
        .Raw("ambiguous", amb).Raw("segments", segs).Raw("sections", secs);
    std::puts(j.Finish().c_str());
    return kExitOk;
  }
  std::printf("kernel:        %s  build-id %s  %s\n",
              r.release().empty() ? "(unknown release)"
                                  : std::string(r.release()).c_str(),
              r.build_id().empty() ? "(unknown)"
                                   : std::string(r.build_id()).c_str(),
              std::string(r.arch()).c_str());
  std::printf("addresses:     %s, KASLR offset 0x%llx\n", space,
              static_cast<unsigned long long>(r.kaslr_offset()));
  std::printf("symbols:       %llu (%llu text), %llu with exact sizes\n",
              static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(text),
              static_cast<unsigned long long>(exact));
  std::printf("attribution:   %llu text symbols with a module, %llu with an "
              "object; %u module sets, %u objects\n",
              static_cast<unsigned long long>(with_module),
              static_cast<unsigned long long>(with_object),
              r.module_set_count() - 1, r.object_count());
  std::printf("duplicates:    %llu text names occur more than once; "
              "%llu qualified names still do (%llu symbols)\n",
              static_cast<unsigned long long>(dup_before),
              static_cast<unsigned long long>(dup_after),
              static_cast<unsigned long long>(dup_after_symbols));
  for (size_t k = 0; k < still.size() && k < 20; ++k) {
    std::printf("  ambiguous:   %s\n", still[k].c_str());
  }
  if (still.size() > 20) std::printf("  ... %zu more\n", still.size() - 20);
  std::printf("index:         %llu bytes, %.1f bytes/symbol\n",
              static_cast<unsigned long long>(r.file_size()),
              n ? static_cast<double>(r.file_size()) / n : 0.0);
  for (const auto& g : r.segments()) {
    std::printf("  segment      base 0x%016llx  %u symbols from #%u\n",
                static_cast<unsigned long long>(g.base), g.count, g.first);
  }
  for (const SectionInfo& x : r.sections()) {
    std::printf("  section      %-16s %10llu bytes  %5.2f bytes/symbol\n",
                x.name, static_cast<unsigned long long>(x.size),
                n ? static_cast<double>(x.size) / n : 0.0);
  }
  return kExitOk;
}

absl::StatusOr<ProtoFormat> FormatFor(const Args& a, const std::string& path) {
  auto it = a.values.find("--format");
  if (it == a.values.end()) return ProtoFormatForPath(path);
  return ParseProtoFormat(it->second);
}

int CmdExport(int argc, char** argv) {
  Args a = ParseArgs("export", argc, argv, {"--index", "--output", "--format"},
                     {});
  const std::string out = a.values["--output"];
  if (out.empty()) Die(kExitUsage, "export: -o FILE is required (- for stdout)");
  absl::StatusOr<ProtoFormat> format = FormatFor(a, out);
  if (!format.ok()) Die(kExitUsage, format.status().message());
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  absl::StatusOr<std::string> bytes = ExportSymbolTableBytes(s->index(), *format);
  if (!bytes.ok()) Die(kExitError, bytes.status().message());
  if (out == "-") {
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    return std::ferror(stdout) ? kExitError : kExitOk;
  }
  if (absl::Status st = WriteFileAtomically(out, *bytes); !st.ok()) {
    Die(kExitError, st.message());
  }
  return kExitOk;
}

int CmdImport(int argc, char** argv) {
  Args a = ParseArgs("import", argc, argv, {"--output", "--format"}, {});
  if (a.positional.size() != 1 || a.values["--output"].empty()) {
    Die(kExitUsage, "import: usage: ksym import FILE -o INDEX");
  }
  const std::string in = a.positional[0];
  absl::StatusOr<ProtoFormat> format = FormatFor(a, in);
  if (!format.ok()) Die(kExitUsage, format.status().message());
  absl::StatusOr<std::string> bytes = ReadFileToString(in);
  if (!bytes.ok()) Die(kExitError, bytes.status().message());
  absl::StatusOr<Catalog> catalog = ImportSymbolTableBytes(*bytes, *format, in);
  if (!catalog.ok()) Die(kExitError, catalog.status().message());
  absl::StatusOr<std::string> index = SerializeIndex(*catalog);
  if (!index.ok()) Die(kExitError, index.status().message());
  if (absl::Status st = WriteFileAtomically(a.values["--output"], *index);
      !st.ok()) {
    Die(kExitError, st.message());
  }
  return kExitOk;
}

int CmdVerify(int argc, char** argv) {
  Args a = ParseArgs("verify", argc, argv, {"--index"}, {});
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  for (absl::Status st :
       {s->index().VerifyChecksums(), s->index().VerifyStructure()}) {
    if (!st.ok()) {
      std::fprintf(stderr, "ksym: verify: %s\n",
                   std::string(st.message()).c_str());
      return kExitNotFound;
    }
  }
  std::printf("ok: %llu symbols, %zu sections verified\n",
              static_cast<unsigned long long>(s->index().symbol_count()),
              s->index().sections().size());
  return kExitOk;
}

}  // namespace
}  // namespace ksym

int main(int argc, char** argv) {
  using namespace ksym;
  // std::cin is tied to std::cout, whose flush in sync_with_stdio mode
  // fflush()es stdout: without this, every line read from stdin cost a
  // write(2) of the previous output line.
  std::cin.tie(nullptr);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  int sub_argc = argc - 2;
  char** sub_argv = argv + 2;
  if (cmd == "build") return CmdBuild(sub_argc, sub_argv);
  if (cmd == "lookup") return CmdLookup(sub_argc, sub_argv);
  if (cmd == "resolve") return CmdResolve(sub_argc, sub_argv);
  if (cmd == "list") return CmdList(sub_argc, sub_argv);
  if (cmd == "symbolize") return CmdSymbolize(sub_argc, sub_argv);
  if (cmd == "info") return CmdInfo(sub_argc, sub_argv);
  if (cmd == "verify") return CmdVerify(sub_argc, sub_argv);
  if (cmd == "export") return CmdExport(sub_argc, sub_argv);
  if (cmd == "import") return CmdImport(sub_argc, sub_argv);
  std::fprintf(stderr, "ksym: unknown command \"%s\"\n\n%s", cmd.c_str(),
               kUsage);
  return kExitUsage;
}
