// What the build stages tell the user while they run: progress lines, notes
// ("KASLR offset 0x1c000000 (from _text)") and warnings (facts that looked
// wrong or were missing and may cost precision; the index stays correct).
// Every stage takes a BuildLog& instead of printing.
//
//   BuildLog log(progress);
//   log.Progress("reading System.map");
//   log.Note("symbols: 87361 from vmlinux .symtab");
//   log.Warn(absl::StrCat(n, " core symbols ... (", Examples(ex, n), ")"));
#ifndef KSYM_SYMBOLIZER_BUILDER_BUILD_LOG_H_
#define KSYM_SYMBOLIZER_BUILDER_BUILD_LOG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace ksym {

// Reports progress as (done, total, what); total 0 = unknown.
using ProgressFn = std::function<void(uint64_t, uint64_t, absl::string_view)>;

// Examples quoted in a note or warning.
inline constexpr size_t kMaxExamples = 5;

// "a, b, c" and ", ..." when `total` is more than the examples shown.
inline std::string Examples(const std::vector<std::string>& examples,
                            size_t total) {
  std::string out = absl::StrJoin(examples, ", ");
  if (total > examples.size()) out += ", ...";
  return out;
}

class BuildLog {
 public:
  BuildLog() = default;
  explicit BuildLog(ProgressFn progress) : progress_(std::move(progress)) {}

  void Progress(absl::string_view what) const {
    if (progress_) progress_(0, 0, what);
  }
  void Note(std::string note) { notes.push_back(std::move(note)); }
  void Warn(std::string warning) { warnings.push_back(std::move(warning)); }

  std::vector<std::string> notes;
  std::vector<std::string> warnings;

 private:
  ProgressFn progress_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_BUILD_LOG_H_
