// Probe specs: what each tracer accepts to place a probe on exactly one
// symbol (+ offset) of an index, under the kernel's own rules.
//
//   absl::StatusOr<Candidate> c = symbolizer.ResolveUnique("init_once {ext4/super}");
//   absl::StatusOr<ProbeSpec> p = MakeProbeSpec(symbolizer, *c, {});
//   // p->kprobe_events == "p:ksym/init_once 0xffffffff81460eb0"   (runtime)
//   //                     "p:ksym/init_once _text+0x460eb0"        (static)
//
// The kernel's rules (kernel/trace/trace_kprobe.c, Documentation/trace/
// kprobetrace.rst):
//   - kprobe_events, and the perf_event_open kprobe PMU that bpftrace and
//     libbpf use, refuse a bare SYM that matches more than one kallsyms
//     symbol (EADDRNOTAVAIL, "The symbol is not unique"; 6.6, backported to
//     the stable trees); kernels without that check place the probe on the
//     first match. kallsyms counts every symbol of the name, functions and
//     data, core kernel and loaded modules.
//   - `MOD:SYM` is counted inside MOD only since 6.11; before, the PMU path
//     refused it outright and kprobe_events took the first match in MOD.
//     Only loadable modules are MODs: built-in modules are core kernel.
//   - A MEMADDR is always taken as is; `_text+OFF` (as perf probe writes)
//     names the same address on every boot of that build.
// So a target is written, most readable first:
//   SYM[+off]        only when SYM is unique in the whole index,
//   MOD:SYM[+off]    when unique in its loadable module and kernel >= 6.11,
//   0xADDR           with a runtime index,
//   _text+0xOFF      with a static index (core kernel symbols).
//
// perf probe looks a bare name up in vmlinux only, probes every copy of
// a name with -m MOD, and refuses absolute addresses outside vmlinux's
// .text: a module function is `-m MOD SYM` when SYM is unique in MOD,
// and has no perf form otherwise.
//
// A static index holds no loadable modules: a SYM unique there may still be
// refused (never misplaced: kallsyms searches the core kernel first) when a
// loaded module defines it too; the spec says so in `notes`.
#ifndef KSYM_SYMBOLIZER_PROBE_PROBE_SPEC_H_
#define KSYM_SYMBOLIZER_PROBE_PROBE_SPEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/probe/kprobe_blacklist.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// Major.minor of a kernel release string ("6.1.0-57-cloud-amd64" -> 6.1).
struct KernelVersion {
  int major = 0;
  int minor = 0;
  bool known = false;

  static KernelVersion FromRelease(absl::string_view release);
  bool AtLeast(int maj, int min) const {
    return known && (major > maj || (major == maj && minor >= min));
  }
};

enum class TargetForm : uint8_t {
  kSymbol,        // SYM[+off]
  kModuleSymbol,  // MOD:SYM[+off]
  kAddress,       // 0xADDR (runtime)
  kTextOffset,    // _text+0xOFF (static)
};
const char* TargetFormName(TargetForm form);  // "symbol", "module_symbol", ...

// One tracer's form, or why there is none.
struct ToolSpec {
  bool available = false;
  std::string text;    // what to give the tool
  std::string reason;  // why unavailable, or a condition to know ("needs --unsafe")
};

struct ProbeOptions {
  // Unset: from the index's release.
  std::optional<KernelVersion> kernel;
  bool is_return = false;
  // "GROUP/EVENT" for kprobe_events; empty: "ksym/<name>[_<off>]".
  std::string event;
  // Addresses the kernel refuses to probe (kprobe_blacklist.h); may be null.
  const KprobeBlacklist* blacklist = nullptr;
};

struct ProbeSpec {
  SymbolInfo symbol;
  uint64_t offset = 0;
  uint64_t address = 0;  // symbol.address + offset, in the index's space
  bool runtime = false;  // the index's address space
  KernelVersion kernel;
  std::string query;  // a query selecting the symbol (Symbolizer::SelectingQuery)
  // Symbols named like this one in the whole index (all types), and in its
  // loadable module (0 for core kernel symbols).
  uint32_t same_name = 0;
  uint32_t same_name_in_module = 0;
  std::string module;  // the loadable module, or ""

  TargetForm form = TargetForm::kSymbol;
  std::string target;      // the kprobe target: "init_once+0x12", "0xffff..."
  std::string form_reason;  // why this form

  ToolSpec kprobe_events;  // "p:ksym/init_once 0xffffffff81460eb0"
  ToolSpec bpftrace;       // "kprobe:0xffffffff81460eb0" (reason: --unsafe)
  ToolSpec perf;           // perf probe argument
  ToolSpec libbpf;         // bpf_kprobe_opts fields
  ToolSpec kprobe_multi;   // bpf_kprobe_multi_opts fields
  ToolSpec address_spec;   // the address alone
  std::vector<std::string> notes;
};

// Builds every spec for `candidate` (symbol + offset from a resolved query).
// Errors: InvalidArgument for an offset past the symbol's end, an offset on
// a return probe, a non-function symbol or a malformed event name;
// FailedPrecondition (reason given) for a blacklisted address or when no
// exact target exists (static index without a unique `_text`).
absl::StatusOr<ProbeSpec> MakeProbeSpec(const Symbolizer& symbolizer,
                                        const Candidate& candidate,
                                        const ProbeOptions& options);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_PROBE_PROBE_SPEC_H_
