#include "symbolizer/probe/probe_spec.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {
namespace {

// kernel/trace/trace.h MAX_EVENT_NAME_LEN.
constexpr size_t kMaxEventNameLength = 64;

// trace_probe.c is_good_name(): [A-Za-z_][A-Za-z0-9_]*.
bool IsGoodName(absl::string_view s) {
  if (s.empty() || !(absl::ascii_isalpha(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '_')) return false;
  }
  return true;
}

std::string Sanitize(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (!absl::ascii_isalnum(c)) c = '_';
  }
  if (out.empty() || absl::ascii_isdigit(out[0])) out.insert(0, "_");
  return out;
}

absl::string_view LeadingDigits(absl::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && absl::ascii_isdigit(s[digits])) ++digits;
  return s.substr(0, digits);
}

std::string Hex(uint64_t v) { return absl::StrCat("0x", absl::Hex(v)); }

std::string WithOffset(absl::string_view base, uint64_t offset) {
  return offset == 0 ? std::string(base) : absl::StrCat(base, "+", Hex(offset));
}

// The default event: the kernel's own "%c_%s_%ld" for SYM+offs, made unique
// per target for duplicated names with the module or the target's hex.
std::string DefaultEvent(const ProbeSpec& p, bool is_return,
                         uint64_t text_offset) {
  std::string suffix;
  switch (p.form) {
    case TargetForm::kSymbol: break;
    case TargetForm::kModuleSymbol: suffix = absl::StrCat("_", Sanitize(p.module)); break;
    case TargetForm::kAddress: suffix = absl::StrCat("_", absl::Hex(p.address)); break;
    case TargetForm::kTextOffset: suffix = absl::StrCat("_", absl::Hex(text_offset)); break;
  }
  std::string name = Sanitize(p.symbol.name());
  const std::string head = is_return ? "r_" : "p_";
  const std::string tail = absl::StrCat("_", p.offset, suffix);
  if (head.size() + name.size() + tail.size() > kMaxEventNameLength) {
    name.resize(kMaxEventNameLength - head.size() - tail.size());
  }
  return absl::StrCat("ksym/", head, name, tail);
}

ToolSpec Available(std::string text, std::string reason = "") {
  return {true, std::move(text), std::move(reason)};
}
ToolSpec Unavailable(std::string reason) { return {false, "", std::move(reason)}; }

bool IndexHasLoadableModules(const IndexReader& index) {
  for (uint32_t set = 0; set < index.module_set_count(); ++set) {
    if (index.ModuleSetLoadable(set)) return true;
  }
  return false;
}

}  // namespace

KernelVersion KernelVersion::FromRelease(absl::string_view release) {
  KernelVersion v;
  std::vector<absl::string_view> parts =
      absl::StrSplit(release, absl::MaxSplits('.', 2));
  if (parts.size() < 2) return v;
  absl::string_view minor = LeadingDigits(parts[1]);
  if (!absl::SimpleAtoi(parts[0], &v.major) ||
      !absl::SimpleAtoi(minor, &v.minor)) {
    return v;
  }
  // "6.1.0-57-cloud-amd64": the sublevel only when the minor is followed
  // by '.' directly ("6.12-rc3.x" has none).
  if (parts.size() == 3 && minor.size() == parts[1].size()) {
    absl::string_view sub = LeadingDigits(parts[2]);
    if (!sub.empty() && !absl::SimpleAtoi(sub, &v.sublevel)) return v;
  }
  v.known = true;
  return v;
}

bool CountsModuleSymbolInModule(const KernelVersion& k) {
  return k.AtLeast(6, 10, 10);  // 6.10.10 and later, 6.11 and later
}

bool CountsModulesForBareSymbol(const KernelVersion& k) { return k.AtLeast(6, 7); }

bool PrefersVmlinuxForBareSymbol(const KernelVersion& k) {
  return k.AtLeast(7, 0, 10);  // 7.0.10 and later, 7.1 and later
}

const char* TargetFormName(TargetForm form) {
  switch (form) {
    case TargetForm::kSymbol: return "symbol";
    case TargetForm::kModuleSymbol: return "module_symbol";
    case TargetForm::kAddress: return "address";
    case TargetForm::kTextOffset: return "text_offset";
  }
  return "unknown";
}

absl::StatusOr<ProbeSpec> MakeProbeSpec(const Symbolizer& symbolizer,
                                        const Candidate& candidate,
                                        const ProbeOptions& options) {
  const IndexReader& index = symbolizer.index();
  ProbeSpec p;
  p.symbol = candidate.symbol;
  const SymbolInfo& s = p.symbol;
  const std::string name(s.name());
  p.offset = candidate.address - s.address;
  p.address = candidate.address;
  p.runtime = index.address_space() == AddressSpace::kRuntime;
  p.kernel = options.kernel.value_or(KernelVersion::FromRelease(index.release()));
  p.query = symbolizer.SelectingQuery(s, p.offset ? std::optional<uint64_t>(p.offset)
                                                  : std::nullopt);

  if (!IsTextType(s.type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        p.query, " is not a function (type '", std::string(1, s.type),
        "'): kprobes go on code"));
  }
  if (p.offset != 0 && p.offset >= s.size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "offset ", Hex(p.offset), " is past the end of ", name, " (size ",
        Hex(s.size), s.size_exact ? "" : ", up to the next symbol", ")"));
  }
  if (options.is_return && p.offset != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a return probe goes on the function entry, not at offset ",
        Hex(p.offset), " of ", name));
  }
  if (options.blacklist != nullptr) {
    if (const BlacklistEntry* e = options.blacklist->Find(p.address)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the kernel will not probe ", p.query, " at ", Hex(p.address), ": ",
          e->reason));
    }
  }

  const uint32_t set = s.module_set;
  const bool loadable = set != kNoModules && index.ModuleSetLoadable(set) &&
                        index.ModuleSetSize(set) == 1;
  if (loadable) p.module = std::string(index.ModuleName(set, 0));
  index.ForEachNamed(name, [&](uint32_t i) {
    ++p.same_name;
    if (loadable && index.ModuleSetOf(i) == set) ++p.same_name_in_module;
  });

  uint64_t text_offset = 0;
  if (p.same_name == 1) {
    p.form = TargetForm::kSymbol;
    p.target = WithOffset(name, p.offset);
    p.form_reason = absl::StrCat(name, " is unique in the index");
  } else if (loadable && p.same_name_in_module == 1 &&
             CountsModuleSymbolInModule(p.kernel)) {
    p.form = TargetForm::kModuleSymbol;
    p.target = WithOffset(absl::StrCat(p.module, ":", name), p.offset);
    p.form_reason = absl::StrCat(p.same_name, " symbols are named ", name,
                                 ", one in module ", p.module,
                                 " (MOD:SYM is counted inside MOD since 6.11 and "
                                 "6.10.10, 9d8616034f16)");
  } else if (p.runtime) {
    p.form = TargetForm::kAddress;
    p.target = Hex(p.address);
    p.form_reason = absl::StrCat(p.same_name, " symbols are named ", name,
                                 ": only the runtime address is exact");
  } else {
    if (loadable) {
      return absl::FailedPreconditionError(absl::StrCat(
          p.query, " is in loadable module ", p.module,
          " of a static index: no stable anchor names it; use a runtime index"));
    }
    std::optional<uint64_t> text;
    int texts = 0;
    index.ForEachNamed("_text", [&](uint32_t i) {
      ++texts;
      text = index.Address(i);
    });
    if (texts != 1 || *text > p.address) {
      return absl::FailedPreconditionError(absl::StrCat(
          p.same_name, " symbols are named ", name,
          " and the static index has no unique _text below it to anchor "
          "_text+OFF; use a runtime index"));
    }
    text_offset = p.address - *text;
    p.form = TargetForm::kTextOffset;
    p.target = absl::StrCat("_text+", Hex(text_offset));
    p.form_reason = absl::StrCat(
        p.same_name, " symbols are named ", name,
        ": _text+OFF names this one on every boot of this build");
  }
  if (p.form == TargetForm::kSymbol && !p.runtime &&
      !IndexHasLoadableModules(index) && !PrefersVmlinuxForBareSymbol(p.kernel)) {
    p.notes.push_back(absl::StrCat(
        "the index holds no loadable modules: if a loaded module also defines ",
        name, ", kernels that count module symbols (926fe783c8a6) refuse the "
        "bare name (EADDRNOTAVAIL) rather than misplace it, until 1870ddcd94b0 "
        "(7.1, 7.0.10) counts only vmlinux's copies"));
  }
  if (p.form == TargetForm::kSymbol && loadable &&
      !CountsModulesForBareSymbol(p.kernel)) {
    p.notes.push_back(absl::StrCat(
        "kernels with b022f0c7e404 but not 926fe783c8a6 (6.1.60 to 6.1.70, "
        "some 5.4 to 5.15 stable releases) count only core-kernel symbols and "
        "refuse a module's bare ", name, " (ENOENT): use ",
        Hex(p.address), " there"));
  }
  if (!p.kernel.known && loadable && p.same_name > 1 &&
      p.same_name_in_module == 1) {
    p.notes.push_back(absl::StrCat("kernel release \"", index.release(),
                                   "\" unknown: MOD:SYM not used"));
  }

  // kprobe_events.
  const std::string event =
      options.event.empty() ? DefaultEvent(p, options.is_return, text_offset)
                            : options.event;
  {
    std::vector<absl::string_view> ge = absl::StrSplit(event, '/');
    const bool good = ge.size() == 2 && IsGoodName(ge[0]) && IsGoodName(ge[1]) &&
                      ge[1].size() <= kMaxEventNameLength;
    if (!good) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad event \"", event, "\", expected GROUP/EVENT of [A-Za-z_][A-Za-z0-9_]* "
          "(EVENT at most 64 characters)"));
    }
  }
  p.kprobe_events = Available(
      absl::StrCat(options.is_return ? "r:" : "p:", event, " ", p.target));

  // bpftrace: probe spec; offsets in decimal, which every version parses.
  const std::string kind = options.is_return ? "kretprobe:" : "kprobe:";
  const std::string off = p.offset ? absl::StrCat("+", p.offset) : "";
  const char* kOffsetNote =
      "bpftrace checks that the offset is an instruction boundary with the "
      "vmlinux, or needs --unsafe";
  switch (p.form) {
    case TargetForm::kSymbol:
      p.bpftrace = Available(absl::StrCat(kind, name, off),
                             p.offset ? kOffsetNote : "");
      break;
    case TargetForm::kModuleSymbol:
      p.bpftrace = Available(absl::StrCat(kind, p.module, ":", name, off),
                             "MOD:FUNC needs bpftrace >= 0.21.0, which passes "
                             "MOD to the kernel (981b6e466; only the v0.25-rc0 "
                             "snapshot dropped it)");
      break;
    case TargetForm::kAddress:
      p.bpftrace = Available(absl::StrCat(kind, Hex(p.address)),
                             "a raw address needs bpftrace >= 0.25.0 "
                             "(c78373f1e, from 0b6309f78) and --unsafe");
      break;
    case TargetForm::kTextOffset:
      p.bpftrace = Unavailable(absl::StrCat(
          "bpftrace needs the runtime address of a duplicated name: use a "
          "runtime index"));
      break;
  }

  // perf probe (tools/perf/util/probe-event.c). Without -m, perf looks a
  // name up in vmlinux's map only; with -m MOD, in MOD's map, probing every
  // copy of the name there, and it writes MOD:SYM+OFF to kprobe_events,
  // which every kernel places inside MOD (tracefs skips the uniqueness count
  // for MOD:SYM before 9d8616034f16 and counts inside MOD since). An absolute
  // address goes through kprobe_warn_out_range(), which refuses anything
  // outside vmlinux's .text: a module address, even with -m.
  const std::string perf_point = options.is_return
                                     ? absl::StrCat(name, "%return")
                                     : WithOffset(name, p.offset);
  const std::string perf_module = absl::StrCat("-m ", p.module, " ", perf_point);
  if (!p.module.empty() && p.same_name_in_module == 1 &&
      p.form != TargetForm::kTextOffset) {
    p.perf = Available(perf_module);
  } else if (!p.module.empty()) {
    p.perf = Unavailable(absl::StrCat(
        "perf probe -m ", p.module, " probes all ", p.same_name_in_module,
        " copies of ", name, " in ", p.module,
        ", and refuses a module address as outside the kernel's .text"));
  } else {
    switch (p.form) {
      case TargetForm::kSymbol:
        p.perf = Available(perf_point,
                           "with debuginfo, perf probe also probes inlined "
                           "copies of the function unless given --no-inlines");
        break;
      case TargetForm::kModuleSymbol:  // has a module: handled above
      case TargetForm::kAddress:
        p.perf = options.is_return
                     ? Unavailable("ksym knows no perf probe form for a return "
                                   "probe at an absolute address")
                     : Available(Hex(p.address));
        break;
      case TargetForm::kTextOffset:
        p.perf = Unavailable(
            "perf probe takes runtime addresses of duplicated names: use a "
            "runtime index");
        break;
    }
  }

  // libbpf: bpf_program__attach_kprobe_opts / kprobe_multi.
  const std::string ret = options.is_return ? ", .retprobe = true" : "";
  if (p.form == TargetForm::kSymbol) {
    p.libbpf = Available(absl::StrCat("func_name = \"", name, "\", .offset = ",
                                      Hex(p.offset), ret));
  } else if (p.runtime) {
    p.libbpf = Available(absl::StrCat("func_name = NULL, .offset = ",
                                      Hex(p.address), ret),
                         "with func_name NULL, libbpf takes .offset as the "
                         "absolute address");
  } else {
    p.libbpf = Unavailable(
        "a duplicated name needs its runtime address: use a runtime index");
  }
  if (p.offset != 0) {
    p.kprobe_multi = Unavailable("kprobe_multi attaches at function entries only");
  } else if (p.runtime) {
    p.kprobe_multi = Available(
        absl::StrCat(".addrs = {", Hex(p.address), "}, .cnt = 1", ret),
        "never .syms for a duplicated name: kprobe_multi takes the first match");
  } else if (p.form == TargetForm::kSymbol) {
    p.kprobe_multi = Available(absl::StrCat(".syms = {\"", name, "\"}, .cnt = 1", ret));
  } else {
    p.kprobe_multi = Unavailable(
        "kprobe_multi given a duplicated name takes the first match; it needs "
        "the runtime address: use a runtime index");
  }

  p.address_spec = p.runtime
                       ? Available(Hex(p.address))
                       : Available(Hex(p.address),
                                   "static (link-time) address: add the "
                                   "running kernel's KASLR offset");
  return p;
}

}  // namespace ksym
