// `ksym probe`, as a library call every front end shares: resolve a query
// to exactly one function, check it against what the kernel refuses, and
// write each tracer's spec (symbolizer/probe/probe_spec.h) plus the
// set_ftrace_filter index (symbolizer/probe/ftrace_functions.h).
//
//   ProbeRequest req;
//   req.query = "init_once {ext4/super}";
//   req.filter_functions = <bytes of available_filter_functions>;   // optional
//   absl::StatusOr<ProbePlacement> p = PlaceProbe(symbolizer, req);
//   puts(ProbeText(*p).c_str());                  // every tool, one a line
//   absl::StatusOr<std::string> k = ProbeFormat(*p, "kprobe");
//   puts(ProbeJson(symbolizer, *p).c_str());
//
// File contents come in as bytes (I/O is the caller's); a file that could
// not be read is named in `*_unavailable`, which becomes a note.
#ifndef KSYM_SYMBOLIZER_API_PROBE_H_
#define KSYM_SYMBOLIZER_API_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/probe/ftrace_functions.h"
#include "symbolizer/probe/probe_spec.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct ProbeRequest {
  std::string query;
  ProbeOptions options;  // `blacklist` is filled by PlaceProbe
  // /sys/kernel/debug/kprobes/blacklist.
  std::string blacklist, blacklist_label, blacklist_unavailable;
  // tracefs available_filter_functions and available_filter_functions_addrs.
  std::string filter_functions, filter_functions_label;
  std::string filter_functions_addrs, filter_functions_addrs_label;
  std::string ftrace_unavailable;
  // The build-id of the kernel whose tracefs the ftrace files came from
  // (its /sys/kernel/notes), "" when unknown. When it is not the index's,
  // those files name another kernel's functions: the ftrace form is
  // refused, saying so, instead of blaming notrace or inlining.
  std::string tracefs_build_id, tracefs_build_id_label;
};

struct ProbePlacement {
  ProbeSpec spec;
  ToolSpec ftrace;  // text: the set_ftrace_filter index
  std::vector<std::string> notes;  // spec.notes + what was not checked
};

// Errors: the query's syntax (InvalidArgument), no match (NotFound), an
// ambiguous query (FailedPrecondition listing a selecting query per
// candidate, also stored in *ambiguous), and MakeProbeSpec's refusals.
absl::StatusOr<ProbePlacement> PlaceProbe(
    const Symbolizer& symbolizer, const ProbeRequest& request,
    std::vector<Candidate>* ambiguous = nullptr);

// Formats: kprobe, bpftrace, perf, ftrace, libbpf, kprobe_multi, address.
inline constexpr const char* kProbeFormats[] = {
    "kprobe", "bpftrace", "perf", "ftrace", "libbpf", "kprobe_multi", "address"};

// The one line a format prints; FailedPrecondition with the reason when
// that tool has no form for this probe, InvalidArgument for an unknown
// format.
absl::StatusOr<std::string> ProbeFormat(const ProbePlacement& p,
                                        absl::string_view format);
// What a user of ProbeFormat's line must know that the line cannot say
// (bpftrace needs --unsafe for a raw address; a static address needs the
// KASLR offset added), as the all-formats view prints it after `#`; ""
// when nothing. `probe --format F` prints it on stderr every time, so the
// one line a script captures is still right.
std::string ProbeCaveat(const ProbePlacement& p, absl::string_view format);
// Every format, one `format: text` (or `format: unavailable: reason`) a
// line, then the target's reasoning and the notes; ends with a newline.
std::string ProbeText(const Symbolizer& s, const ProbePlacement& p);
// One JSON object (no newline): symbol fields (json_records.h), offset,
// address, query, same_name, same_name_in_module, module, kernel, form,
// form_reason, target, then each format as {"available":..,"text":..,
// "reason":..}, and notes.
std::string ProbeJson(const Symbolizer& s, const ProbePlacement& p);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_PROBE_H_
