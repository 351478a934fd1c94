// The function tracer's list of traceable functions, and the index that
// selects one of them in set_ftrace_filter.
//
// tracefs files (kernel/trace/ftrace.c, t_show / print_rec), one line per
// ftrace record (an mcount/fentry patch site), in record order:
//   available_filter_functions          init_once
//                                       init_once [ext4]
//   available_filter_functions_addrs    ffffffff813704f4 init_once
//   (6.5+; the record's patch-site      ffffffffc0a03014 init_once [ext4]
//    address, hex without 0x)
// A record in no function (a discarded weak function's code) prints as
// `__ftrace_invalid_address___OFFSET`. Writing N (1-based) into
// set_ftrace_filter selects the record on line N (5.1+), the only way to
// choose one of several same-named functions.
//
// The patch site is the function's address plus the architecture's
// fentry/mcount offset (x86 with IBT: +4 past endbr64), so a record belongs
// to the function whose extent holds its address.
//
//   absl::StatusOr<FtraceFunctions> f = FtraceFunctions::Parse(names, "available_filter_functions",
//                                                               addrs, "available_filter_functions_addrs");
//   absl::StatusOr<FtraceIndex> i = f->Find(symbolizer, symbol, to_files);
//   // i->line: echo LINE > set_ftrace_filter
#ifndef KSYM_SYMBOLIZER_PROBE_FTRACE_FUNCTIONS_H_
#define KSYM_SYMBOLIZER_PROBE_FTRACE_FUNCTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct FtraceRecord {
  uint64_t ip = 0;  // patch site; 0 without the _addrs file
  std::string name;
  std::string module;  // loadable module, or ""
};

struct FtraceIndex {
  uint32_t line = 0;          // 1-based: what set_ftrace_filter takes
  uint64_t patch_site = 0;    // in the files' address space; 0 if unknown
  std::string listed_as;      // the line's name [mod] (an alias may show)
};

class FtraceFunctions {
 public:
  // Either file may be empty (not available); when both are given they
  // must list the same records (same count, names and modules line by
  // line), else FailedPrecondition: they were read at different times
  // (a module loaded in between). Malformed lines are InvalidArgument
  // with `label:line: what`.
  static absl::StatusOr<FtraceFunctions> Parse(absl::string_view names,
                                               absl::string_view names_label,
                                               absl::string_view addrs,
                                               absl::string_view addrs_label);

  bool has_addresses() const { return has_addresses_; }
  const std::vector<FtraceRecord>& records() const { return records_; }

  // The files' address space minus the index's: 0 for a runtime index of
  // the same boot, the KASLR offset for a static index. Computed from the
  // functions named once in both: the most common difference, rounded down
  // to a page (KASLR moves the kernel by whole pages, patch sites sit a few
  // bytes into their function). Needs the _addrs file.
  absl::StatusOr<int64_t> OffsetFrom(const Symbolizer& symbolizer) const;

  // The line selecting `symbol` (a function of `symbolizer`'s index).
  // `to_files` as OffsetFrom. NotFound, with the reason, when the function
  // has no record (notrace, always inlined, init code, or its record was
  // discarded); FailedPrecondition when only the names file is given and
  // the name is not unique (which line is which needs the addresses).
  absl::StatusOr<FtraceIndex> Find(const Symbolizer& symbolizer,
                                   const SymbolInfo& symbol,
                                   int64_t to_files) const;

 private:
  std::vector<FtraceRecord> records_;
  bool has_addresses_ = false;
  std::string label_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_PROBE_FTRACE_FUNCTIONS_H_
