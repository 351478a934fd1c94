// Parses qualified symbol names as users write them in queries: the
// /proc/kallmodsyms form, kprobe_events `MOD:SYM+offs`, and the
// `func+off/len [mod]` frames of kernel stack traces and scripts/faddr2line.
//
//   init_once
//   cn23xx_vf_mbox_thread	[liquidio] [liquidio_vf] {cn23xx_vf_device.o}
//   init_once+0x12/0x40 [foo] {sched/core}
//   ext4:ext4_fill_super+16
//   ext4_fill_super+0x1c/0x40 [ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]
//   init_once {fs/inode.o} @0xffffffff813704f0
//
// Every part after the name is optional; `{obj}` is a path suffix that
// matches at a `/` boundary, `.o` optional; `@0xADDR` keeps only the symbol
// that starts at ADDR (in the index's address space), the one form that
// selects a symbol whose qualified name is still not unique.
#ifndef KSYM_SYMBOLIZER_QUERY_QUERY_PARSER_H_
#define KSYM_SYMBOLIZER_QUERY_QUERY_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct Query {
  std::string name;
  // Sorted, deduplicated, `-` spelled `_` as in KBUILD_MODNAME; empty means
  // any module set.
  std::vector<std::string> modules;
  // Object path suffix without the trailing ".o"; empty means any object.
  std::string object;
  std::optional<uint64_t> offset;  // from +OFF
  std::optional<uint64_t> length;  // from /LEN; only set with offset
  std::optional<uint64_t> address;  // from @0xADDR: the symbol's start

  // Canonical form, which ParseQuery reads back to an equal Query:
  // `name+0x12/0x40 [a] [b] {obj.o} @0xffffffff81000000`.
  std::string ToString() const;

  bool operator==(const Query& other) const;
  bool operator!=(const Query& other) const { return !(*this == other); }
};

// Accepts, with surrounding whitespace trimmed:
//   [MOD:]NAME[+OFF[/LEN]] {[MOD]} [{OBJ}] [@0xADDR]
// OFF and LEN are hex with 0x (as stack traces print) or decimal (as
// kprobe_events also accepts); a decimal with a leading zero is refused
// because kprobe_events would read it as octal. `[MOD BUILDID]`, as stack
// traces print with CONFIG_STACKTRACE_BUILD_ID, names MOD; the build id is
// checked for form and dropped. Malformed input is InvalidArgument with a
// message naming the query.
absl::StatusOr<Query> ParseQuery(absl::string_view text);

// True when `object_path` ("kernel/sched/core.o") ends with `suffix`
// ("sched/core") at a '/' boundary, a trailing ".o" ignored on both. An
// empty suffix matches every path.
bool ObjectSuffixMatches(absl::string_view object_path,
                         absl::string_view suffix);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_QUERY_PARSER_H_
