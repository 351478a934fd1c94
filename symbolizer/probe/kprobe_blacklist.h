// Addresses the kernel refuses to kprobe, from the two places that say so:
//
//   /sys/kernel/debug/kprobes/blacklist (kernel/kprobes.c,
//   kprobe_blacklist_seq_show, "0x%px-0x%px\t%ps\n"), one line per
//   NOKPROBE_SYMBOL function or blacklisted area symbol:
//     0xffffffff81001e30-0xffffffff81001e50	native_get_debugreg
//     0xffffffffc0a01000-0xffffffffc0a01040	foo_nmi_handler [foo]
//   Readers without CAP_SYSLOG see 0x0000000000000000-0x0000000000000000.
//
//   The index's linker symbols bounding the areas the kernel blacklists
//   whole (populate_kprobe_blacklist and x86's arch_populate_kprobe_blacklist):
//     __kprobes_text_start..__kprobes_text_end  (__kprobes functions)
//     __noinstr_text_start..__noinstr_text_end  (noinstr functions)
//     __entry_text_start..__entry_text_end      (entry code)
//   and init text (_sinittext.._einittext), freed after boot. On arm64
//   (arch_populate_kprobe_blacklist) also __irqentry_text, __idmap_text,
//   __hyp_text and __hyp_idmap_text (open only on a kernel at EL2).
//
//   absl::StatusOr<KprobeBlacklist> b = KprobeBlacklist::ParseDebugfs(bytes, path);
//   b->AddIndexAreas(symbolizer);
//   if (const BlacklistEntry* e = b->Find(addr)) ... e->reason ...
#ifndef KSYM_SYMBOLIZER_PROBE_KPROBE_BLACKLIST_H_
#define KSYM_SYMBOLIZER_PROBE_KPROBE_BLACKLIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct BlacklistEntry {
  uint64_t start = 0;  // in the index's address space
  uint64_t end = 0;    // exclusive
  std::string reason;  // "NOKPROBE_SYMBOL native_get_debugreg (blacklist:12)"
};

class KprobeBlacklist {
 public:
  // Parses the debugfs file. `to_index` is added to every address (the
  // index's space minus the running kernel's: 0 for a runtime index, minus
  // the KASLR offset for a static one). A file whose addresses are all
  // hidden is FailedPrecondition; a malformed line InvalidArgument with
  // `label:line: what`.
  static absl::StatusOr<KprobeBlacklist> ParseDebugfs(absl::string_view bytes,
                                                      absl::string_view label,
                                                      int64_t to_index = 0);

  // Adds the areas bounded by the index's linker symbols (above) that the
  // index holds.
  void AddIndexAreas(const Symbolizer& symbolizer);
  void Add(uint64_t start, uint64_t end, std::string reason);

  // The entry covering `address`, or null.
  const BlacklistEntry* Find(uint64_t address) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<BlacklistEntry> entries_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_PROBE_KPROBE_BLACKLIST_H_
