// Commands that place probes: probe.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/api/line_queries.h"
#include "symbolizer/api/probe.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/sources/file_reader.h"
#include "tools/cli/command.h"

namespace ksym {
namespace cli {
namespace {

constexpr char kDefaultTracefs[] = "/sys/kernel/tracing";
constexpr char kDefaultBlacklist[] = "/sys/kernel/debug/kprobes/blacklist";

// Reads `path` into *bytes, or says why not in *unavailable.
void ReadOptional(const std::string& path, std::string* bytes,
                  std::string* label, std::string* unavailable) {
  *label = path;
  absl::StatusOr<std::string> b = ReadFileToString(path);
  if (b.ok()) {
    *bytes = *std::move(b);
  } else {
    *unavailable = std::string(b.status().message());
  }
}

int RunProbe(const Args& a) {
  if (a.positional.size() != 1) {
    Die(kExitUsage, "probe: expected exactly one QUERY (quote it if it has spaces)");
  }
  const std::string format = a.has("--format") ? a.value("--format") : "";
  if (a.has("--root") && !a.has("--index")) {
    Die(kExitUsage, "probe: --root needs -i INDEX (the index of that system)");
  }
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  ProbeRequest req;
  req.query = a.positional[0];
  req.options.is_return = a.flag("--return");
  req.options.event = a.value("--event");
  if (a.has("--kernel")) {
    req.options.kernel = KernelVersion::FromRelease(a.value("--kernel"));
    if (!req.options.kernel->known) {
      Die(kExitUsage, absl::StrCat("probe: bad --kernel \"", a.value("--kernel"),
                                   "\", expected a release like 6.11.0"));
    }
  }
  // --root DIR: the live files of a saved system or container under DIR.
  const std::string root = a.value("--root");
  ReadOptional(a.has("--blacklist") ? a.value("--blacklist") : root + kDefaultBlacklist,
               &req.blacklist, &req.blacklist_label, &req.blacklist_unavailable);
  const std::string tracefs =
      a.has("--tracefs") ? a.value("--tracefs") : root + kDefaultTracefs;
  std::string why_names, why_addrs;
  ReadOptional(tracefs + "/available_filter_functions", &req.filter_functions,
               &req.filter_functions_label, &why_names);
  ReadOptional(tracefs + "/available_filter_functions_addrs",
               &req.filter_functions_addrs, &req.filter_functions_addrs_label,
               &why_addrs);
  req.ftrace_unavailable = why_names;
  // Whose tracefs it is: the build-id of the kernel it belongs to (the
  // host's, or the saved system's under --root), unless --tracefs names a
  // directory of unknown origin.
  if (!a.has("--tracefs")) {
    const std::string notes = root + "/sys/kernel/notes";
    absl::StatusOr<std::string> bytes = ReadFileToString(notes);
    if (bytes.ok()) {
      absl::StatusOr<std::string> id = ParseBuildIdNote(*bytes, notes);
      if (id.ok()) {
        req.tracefs_build_id = *std::move(id);
        req.tracefs_build_id_label = notes;
      }
    }
  }

  absl::StatusOr<ProbePlacement> p = IsLineQuery(req.query)
                                         ? PlaceLineProbe(*s, req)
                                         : PlaceProbe(*s, req);
  if (!p.ok()) {
    std::fprintf(stderr, "ksym: probe: %s\n", std::string(p.status().message()).c_str());
    return p.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                   : kExitNotFound;
  }
  if (format.empty()) {
    std::fputs(ProbeText(*s, *p).c_str(), stdout);
    return kExitOk;
  }
  if (format == "json") {
    std::puts(ProbeJson(*s, *p).c_str());
    return kExitOk;
  }
  absl::StatusOr<std::string> line = ProbeFormat(*p, format);
  if (!line.ok()) {
    std::fprintf(stderr, "ksym: probe: %s\n", std::string(line.status().message()).c_str());
    return line.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                      : kExitNotFound;
  }
  std::puts(line->c_str());
  const std::string caveat = ProbeCaveat(*p, format);
  if (!caveat.empty()) {
    std::fprintf(stderr, "ksym: probe: %s: %s\n", format.c_str(),
                 caveat.c_str());
  }
  for (const std::string& n : p->notes) {
    std::fprintf(stderr, "ksym: probe: note: %s\n", n.c_str());
  }
  return kExitOk;
}

}  // namespace

const Command& ProbeCommand() {
  static const Command c{
      "probe", "what kprobe_events, bpftrace, perf, ftrace, libbpf take for one symbol",
      R"(usage: ksym probe [-i INDEX] [--root DIR] [--format FORMAT]
                  [--event GROUP/NAME] [--return] [--kernel RELEASE]
                  [--tracefs DIR] [--blacklist FILE] QUERY

Resolves QUERY (as `ksym resolve` reads it, `name+0xOFF` for an offset,
or a source line FILE:LINE / FUNC:REL_LINE at its one place with code) to
exactly one function and prints what each tracer accepts for exactly that
function on this kernel: `SYM` only when the name is unique in the index,
`MOD:SYM` when unique in its loadable module (kernel >= 6.10.10), else the
runtime address (runtime index) or `_text+0xOFF` (static index).
An ambiguous QUERY exits 1 and lists, one a line, a query selecting each
candidate; a line with code at several places (inlined copies) lists
each, a line without code names the nearest lines with code. Refused, with
the reason: offsets past the function's end,
return probes off the entry, data symbols, the kernel's kprobe blacklist
(FILE, and the index's __kprobes/noinstr/entry/init areas).
  --format F     print one form only: kprobe (a kprobe_events line),
                 bpftrace (a probe spec), perf (a `perf probe` argument),
                 ftrace (the set_ftrace_filter index), libbpf
                 (bpf_kprobe_opts fields), kprobe_multi, address, or json
                 (everything); default: every form, one a line. What the
                 line cannot say (bpftrace --unsafe, add the KASLR offset)
                 goes to stderr every time, as `ksym: probe: F: ...`
  --event G/N    kprobe_events group/event (default ksym/p_NAME_OFF[_...])
  --return       a return probe (kretprobe)
  --kernel R     the kernel release whose rules apply (default: the index's)
  --root DIR     read the tracefs and debugfs files below DIR (a saved
                 system or a container's host; give the index with -i)
  --tracefs DIR  where available_filter_functions(_addrs) are
                 (default ROOT/sys/kernel/tracing)
  --blacklist F  the kprobe blacklist
                 (default ROOT/sys/kernel/debug/kprobes/blacklist)
Exit 1 when ambiguous, not found, refused, or the format has no form.
)",
      {"--index", "--root", "--format", "--event", "--kernel", "--tracefs",
       "--blacklist"},
      {"--return"},
      RunProbe};
  return c;
}

}  // namespace cli
}  // namespace ksym
