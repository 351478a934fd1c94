// Probe specs: what each tracer accepts to place a probe on exactly one
// symbol (+ offset) of an index, under the kernel's own rules.
//
//   absl::StatusOr<Candidate> c = symbolizer.ResolveUnique("init_once {ext4/super}");
//   absl::StatusOr<ProbeSpec> p = MakeProbeSpec(symbolizer, *c, {});
//   // p->kprobe_events == "p:ksym/init_once 0xffffffff81460eb0"   (runtime)
//   //                     "p:ksym/init_once _text+0x460eb0"        (static)
//
// The kernel's rules (kernel/trace/trace_kprobe.c number_of_same_symbols(),
// the error_log text in trace_probe.h; commits, and the first releases
// holding them as the stable review and push mails name them). A stable or
// distro kernel may carry a change its release number does not show, so
// the forms below are chosen to be right on both sides of each change:
//   - b022f0c7e404 (6.6; stable 6.1.60, 5.15.y, 5.10.227, 5.4.y): a bare SYM
//     that matches more than one kallsyms symbol (functions and data) is
//     refused: perf_event_open's kprobe PMU (bpftrace, libbpf) with
//     EADDRNOTAVAIL; kprobe_events with EADDRNOTAVAIL and "The symbol is
//     not unique" in tracefs error_log (EINVAL, same log line, since
//     9d8616034f16). Without it the probe goes on the first match, and
//     kallsyms searches the core kernel before modules.
//   - As first written it counted core-kernel symbols only: a bare SYM of a
//     loadable module's function was refused with ENOENT until
//     926fe783c8a6 (2023; stable 6.1.71, 5.15.y Jan 2024, 5.10/5.4.y Oct
//     2024) counted loaded modules too.
//   - kprobe_events places `MOD:SYM` on the first match inside MOD on every
//     kernel; 9d8616034f16 (6.11, stable 6.10.10) counts it inside MOD
//     (refused when MOD has two). Before it, the PMU path of a kernel with
//     b022f0c7e404 counted "MOD:SYM" as a whole name and refused it (ENOENT).
//     Only loadable modules are MODs: built-in modules are core kernel.
//   - 1870ddcd94b0 (7.1, stable 7.0.10): a bare SYM found in vmlinux counts
//     vmlinux copies only, so a module defining the name no longer makes a
//     core-kernel name ambiguous.
//   - A MEMADDR is always taken as is; `_text+OFF` (as perf probe writes)
//     names the same address on every boot of that build.
// So a target is written, most readable first:
//   SYM[+off]        only when SYM is unique in the whole index,
//   MOD:SYM[+off]    when unique in its loadable module and the kernel counts
//                    MOD:SYM inside MOD (6.11, 6.10.10 and later),
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
// loaded module defines it too, on kernels between 926fe783c8a6 and
// 1870ddcd94b0; the spec says so in `notes`, as it says that a bare module
// function is refused by kernels with b022f0c7e404 but not 926fe783c8a6.
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

// Major.minor.sublevel of a kernel release string ("6.1.0-57-cloud-amd64"
// -> 6.1.0, "6.10.12-200.fc40.x86_64" -> 6.10.12, "6.12-rc3" -> 6.12.0).
struct KernelVersion {
  int major = 0;
  int minor = 0;
  int sublevel = 0;  // 0 when the release has none
  bool known = false;

  static KernelVersion FromRelease(absl::string_view release);
  bool AtLeast(int maj, int min, int sub = 0) const {
    if (!known) return false;
    if (major != maj) return major > maj;
    if (minor != min) return minor > min;
    return sublevel >= sub;
  }
};

// The rules above as release tests; false for an unknown release. A
// release below the threshold may still carry a backport.
// 9d8616034f16: MOD:SYM counted inside MOD (6.11, 6.10.10).
bool CountsModuleSymbolInModule(const KernelVersion& kernel);
// 926fe783c8a6: loaded modules counted for a bare SYM; 6.7 is the first
// mainline release ksym is sure of (the commit is from October 2023).
bool CountsModulesForBareSymbol(const KernelVersion& kernel);
// 1870ddcd94b0: a bare SYM found in vmlinux counts vmlinux only (7.1, 7.0.10).
bool PrefersVmlinuxForBareSymbol(const KernelVersion& kernel);

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
