#include "symbolizer/api/probe.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/names/printable.h"
#include "symbolizer/probe/kprobe_blacklist.h"

namespace ksym {
namespace {

const ToolSpec* Tool(const ProbePlacement& p, absl::string_view format) {
  if (format == "kprobe") return &p.spec.kprobe_events;
  if (format == "bpftrace") return &p.spec.bpftrace;
  if (format == "perf") return &p.spec.perf;
  if (format == "ftrace") return &p.ftrace;
  if (format == "libbpf") return &p.spec.libbpf;
  if (format == "kprobe_multi") return &p.spec.kprobe_multi;
  if (format == "address") return &p.spec.address_spec;
  return nullptr;
}

std::string ToolJson(const ToolSpec& t) {
  JsonLine j;
  j.Bool("available", t.available);
  if (t.available) {
    j.Field("text", t.text);
  } else {
    j.Null("text");
  }
  if (t.reason.empty()) {
    j.Null("reason");
  } else {
    j.Field("reason", t.reason);
  }
  return j.Finish();
}

}  // namespace

absl::StatusOr<ProbePlacement> PlaceProbe(const Symbolizer& symbolizer,
                                          const ProbeRequest& request,
                                          std::vector<Candidate>* ambiguous) {
  absl::StatusOr<Candidate> c = symbolizer.ResolveUnique(request.query, ambiguous);
  if (!c.ok()) return c.status();
  ProbePlacement out;
  const bool runtime =
      symbolizer.index().address_space() == AddressSpace::kRuntime;

  // The tracefs files first: with a static index they also give the
  // offset the debugfs blacklist needs.
  std::optional<FtraceFunctions> ftrace;
  std::optional<int64_t> to_files;
  const absl::string_view index_build_id = symbolizer.index().build_id();
  const bool foreign_tracefs = !request.tracefs_build_id.empty() &&
                               !index_build_id.empty() &&
                               request.tracefs_build_id != index_build_id;
  if (!foreign_tracefs && (!request.filter_functions.empty() ||
                           !request.filter_functions_addrs.empty())) {
    absl::StatusOr<FtraceFunctions> f = FtraceFunctions::Parse(
        request.filter_functions, request.filter_functions_label,
        request.filter_functions_addrs, request.filter_functions_addrs_label);
    if (!f.ok()) return f.status();
    ftrace = *std::move(f);
    if (runtime) {
      to_files = 0;
    } else if (ftrace->has_addresses()) {
      absl::StatusOr<int64_t> off = ftrace->OffsetFrom(symbolizer);
      if (!off.ok()) return off.status();
      to_files = *off;
    }
  }

  KprobeBlacklist blacklist;
  blacklist.AddIndexAreas(symbolizer);
  if (!request.blacklist.empty()) {
    if (runtime || to_files.has_value()) {
      absl::StatusOr<KprobeBlacklist> b = KprobeBlacklist::ParseDebugfs(
          request.blacklist, request.blacklist_label,
          runtime ? 0 : -*to_files);
      if (!b.ok()) return b.status();
      blacklist = *std::move(b);
      blacklist.AddIndexAreas(symbolizer);
    } else {
      out.notes.push_back(absl::StrCat(
          request.blacklist_label,
          " not checked: its runtime addresses cannot be compared with a "
          "static index without the KASLR offset (give "
          "available_filter_functions_addrs, or use a runtime index)"));
    }
  } else if (!request.blacklist_unavailable.empty()) {
    out.notes.push_back(absl::StrCat(
        "kprobe blacklist not checked beyond the index's areas: ",
        request.blacklist_unavailable));
  }

  ProbeOptions options = request.options;
  options.blacklist = &blacklist;
  absl::StatusOr<ProbeSpec> spec = MakeProbeSpec(symbolizer, *c, options);
  if (!spec.ok()) return spec.status();
  out.spec = *std::move(spec);
  out.notes.insert(out.notes.begin(), out.spec.notes.begin(), out.spec.notes.end());
  // Notes are for people (stderr, text, JSON) and quote names and paths
  // from the index's inputs: escaped once, here.
  for (std::string& n : out.notes) n = EscapeUnprintable(n);

  if (foreign_tracefs) {
    out.ftrace.reason = absl::StrCat(
        request.filter_functions_label, " is of another kernel (build-id ",
        request.tracefs_build_id, " in ", request.tracefs_build_id_label,
        ") than the index (build-id ", index_build_id,
        "): give the tracefs of the index's kernel (--tracefs, --root)");
  } else if (!ftrace.has_value()) {
    out.ftrace.reason = request.ftrace_unavailable.empty()
                            ? "no available_filter_functions given"
                            : request.ftrace_unavailable;
  } else if (out.spec.offset != 0) {
    out.ftrace.reason = "the function tracer selects whole functions, not offsets";
  } else {
    absl::StatusOr<FtraceIndex> idx =
        ftrace->Find(symbolizer, out.spec.symbol, to_files.value_or(0));
    if (idx.ok()) {
      out.ftrace.available = true;
      out.ftrace.text = absl::StrCat(idx->line);
      out.ftrace.reason = absl::StrCat(
          "line ", idx->line, " of available_filter_functions (\"",
          idx->listed_as, "\"): echo ", idx->line, " > set_ftrace_filter");
    } else {
      out.ftrace.reason = std::string(idx.status().message());
    }
  }
  return out;
}

absl::StatusOr<std::string> ProbeFormat(const ProbePlacement& p,
                                        absl::string_view format) {
  const ToolSpec* t = Tool(p, format);
  if (t == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown format \"", format,
        "\", expected kprobe, bpftrace, perf, ftrace, libbpf, kprobe_multi, "
        "address or json"));
  }
  if (!t->available) {
    return absl::FailedPreconditionError(
        absl::StrCat("no ", format, " form for ", EscapeUnprintable(p.spec.query),
                     ": ", EscapeUnprintable(t->reason)));
  }
  // A name from the index's inputs is never written raw: a newline in it
  // would add a second definition to kprobe_events.
  return EscapeUnprintable(t->text);
}

std::string ProbeCaveat(const ProbePlacement& p, absl::string_view format) {
  const ToolSpec* t = Tool(p, format);
  if (t == nullptr || !t->available) return "";
  return EscapeUnprintable(t->reason);
}

std::string ProbeText(const Symbolizer& s, const ProbePlacement& p) {
  // Names and paths from the index's inputs are escaped (names/printable.h).
  const auto e = [](absl::string_view text) { return EscapeUnprintable(text); };
  std::string out = absl::StrCat("symbol:       ", e(p.spec.query), " at 0x",
                                 absl::Hex(p.spec.address), "\n",
                                 "target:       ", e(p.spec.target), " (",
                                 e(p.spec.form_reason), ")\n");
  for (const char* f : kProbeFormats) {
    const ToolSpec& t = *Tool(p, f);
    std::string label = absl::StrCat(f, ":");
    label.resize(14, ' ');
    if (t.available) {
      absl::StrAppend(&out, label, e(t.text));
      if (!t.reason.empty()) absl::StrAppend(&out, "   # ", e(t.reason));
    } else {
      absl::StrAppend(&out, label, "unavailable: ", e(t.reason));
    }
    out.push_back('\n');
  }
  for (const std::string& n : p.notes) absl::StrAppend(&out, "note: ", n, "\n");
  (void)s;
  return out;
}

std::string ProbeJson(const Symbolizer& s, const ProbePlacement& p) {
  JsonLine j;
  AddSymbolFields(s, p.spec.symbol, j);
  j.Field("offset", p.spec.offset)
      .Field("address", JsonAddress(p.spec.address))
      .Field("address_space", p.spec.runtime ? "runtime" : "static")
      .Field("query", p.spec.query)
      .Field("same_name", p.spec.same_name)
      .Field("same_name_in_module", p.spec.same_name_in_module);
  if (p.spec.module.empty()) {
    j.Null("module");
  } else {
    j.Field("module", p.spec.module);
  }
  if (p.spec.kernel.known) {
    j.Field("kernel", absl::StrCat(p.spec.kernel.major, ".", p.spec.kernel.minor));
  } else {
    j.Null("kernel");
  }
  j.Field("form", TargetFormName(p.spec.form))
      .Field("form_reason", p.spec.form_reason)
      .Field("target", p.spec.target);
  for (const char* f : kProbeFormats) j.Raw(f, ToolJson(*Tool(p, f)));
  std::vector<absl::string_view> notes(p.notes.begin(), p.notes.end());
  j.Strings("notes", notes);
  return j.Finish();
}

}  // namespace ksym
