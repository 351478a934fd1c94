#include "symbolizer/probe/kprobe_blacklist.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

bool ParseHex(absl::string_view s, uint64_t* out) {
  return s.size() > 2 && s[1] == 'x' && ParsePrefixedHex(s, out);
}

// The only symbol of that name in the index, or nullopt.
std::optional<uint64_t> UniqueAddress(const Symbolizer& s,
                                      absl::string_view name) {
  std::optional<uint64_t> found;
  int count = 0;
  s.index().ForEachNamed(name, [&](uint32_t i) {
    ++count;
    found = s.index().Address(i);
  });
  if (count != 1) return std::nullopt;
  return found;
}

}  // namespace

absl::StatusOr<KprobeBlacklist> KprobeBlacklist::ParseDebugfs(
    absl::string_view bytes, absl::string_view label, int64_t to_index) {
  KprobeBlacklist out;
  size_t line_no = 0;
  size_t hidden = 0;
  for (absl::string_view line : absl::StrSplit(bytes, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    const size_t dash = line.find('-');
    if (tab == absl::string_view::npos || dash == absl::string_view::npos ||
        dash > tab) {
      return LineError(label, line_no,
                       "expected \"0xSTART-0xEND\\tSYMBOL\" like "
                       "\"0xffffffff81001e30-0xffffffff81001e50\\t"
                       "native_get_debugreg\"");
    }
    uint64_t start = 0, end = 0;
    if (!ParseHex(line.substr(0, dash), &start) ||
        !ParseHex(line.substr(dash + 1, tab - dash - 1), &end)) {
      return LineError(label, line_no,
                       absl::StrCat("bad address range \"", line.substr(0, tab),
                                    "\", expected 0xSTART-0xEND in hex"));
    }
    const absl::string_view symbol = line.substr(tab + 1);
    if (symbol.empty()) {
      return LineError(label, line_no, "missing symbol after the tab");
    }
    if (start == 0 && end == 0) {
      ++hidden;
      continue;
    }
    if (end < start) {
      return LineError(label, line_no,
                       absl::StrCat("range \"", line.substr(0, tab),
                                    "\" ends before it starts"));
    }
    out.Add(start + static_cast<uint64_t>(to_index),
            end + static_cast<uint64_t>(to_index),
            absl::StrCat("in the kernel's kprobe blacklist as ", symbol, " (",
                         label, ":", line_no, ")"));
  }
  if (hidden > 0 && out.entries_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": every address is hidden (0x0000000000000000); read it as "
               "root, or with kernel.kptr_restrict=0"));
  }
  return out;
}

void KprobeBlacklist::AddIndexAreas(const Symbolizer& symbolizer) {
  struct Area {
    const char* start;
    const char* end;
    const char* why;
  };
  static constexpr Area kAreas[] = {
      {"__kprobes_text_start", "__kprobes_text_end",
       "in the kernel's kprobe blacklist: a __kprobes function "
       "(__kprobes_text_start..__kprobes_text_end)"},
      {"__noinstr_text_start", "__noinstr_text_end",
       "in the kernel's kprobe blacklist: a noinstr function "
       "(__noinstr_text_start..__noinstr_text_end)"},
      {"__entry_text_start", "__entry_text_end",
       "in the kernel's kprobe blacklist: entry code "
       "(__entry_text_start..__entry_text_end)"},
      {"_sinittext", "_einittext",
       "init code, freed after boot: the kernel refuses probes there "
       "(_sinittext.._einittext)"},
  };
  // arm64's arch_populate_kprobe_blacklist (arch/arm64/kernel/probes/
  // kprobes.c) adds these; its entry text is above. __hyp_idmap_text is
  // left open by a kernel running at EL2 (VHE), which an index cannot
  // know: it is refused, and the reason says so.
  static constexpr Area kArm64Areas[] = {
      {"__irqentry_text_start", "__irqentry_text_end",
       "in the kernel's kprobe blacklist on arm64: irq entry code "
       "(__irqentry_text_start..__irqentry_text_end)"},
      {"__idmap_text_start", "__idmap_text_end",
       "in the kernel's kprobe blacklist on arm64: identity-mapped code "
       "(__idmap_text_start..__idmap_text_end)"},
      {"__hyp_text_start", "__hyp_text_end",
       "in the kernel's kprobe blacklist on arm64: KVM hypervisor code "
       "(__hyp_text_start..__hyp_text_end)"},
      {"__hyp_idmap_text_start", "__hyp_idmap_text_end",
       "in the kernel's kprobe blacklist on arm64 unless the kernel runs at "
       "EL2 (VHE): KVM identity-mapped code "
       "(__hyp_idmap_text_start..__hyp_idmap_text_end)"},
  };
  auto add = [&](const Area& a) {
    std::optional<uint64_t> start = UniqueAddress(symbolizer, a.start);
    std::optional<uint64_t> end = UniqueAddress(symbolizer, a.end);
    if (start && end && *start < *end) {
      Add(*start, *end, a.why);
    }
  };
  for (const Area& a : kAreas) add(a);
  if (symbolizer.index().arch() == "aarch64") {
    for (const Area& a : kArm64Areas) add(a);
  }
}

void KprobeBlacklist::Add(uint64_t start, uint64_t end, std::string reason) {
  entries_.push_back({start, end, std::move(reason)});
}

const BlacklistEntry* KprobeBlacklist::Find(uint64_t address) const {
  for (const BlacklistEntry& e : entries_) {
    if (address >= e.start && address < e.end) return &e;
  }
  return nullptr;
}

}  // namespace ksym
