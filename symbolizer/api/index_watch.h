// Notices that the index file a long-running command reads changed on
// disk. The index is mmapped: a file rewritten in place (`cp new.ksym
// idx.ksym`) changes the answers under the reader, which would go on
// printing them; a file replaced by rename (how ksym itself writes, `mv`)
// leaves the mapping on the old file, which stays consistent.
//
//   IndexWatch watch(path);            // right after opening it
//   for each input line N:
//     if (absl::Status st = watch.Check(N); !st.ok()) stop, saying st;
//     if (watch.replaced_notice()) say it once;
//
// A check is one stat(2) of the path (about a microsecond); callers check
// before every line they answer when output is flushed per line, else
// every kCheckEvery lines. A change between opening the index and
// constructing the watch is not seen.
#ifndef KSYM_SYMBOLIZER_API_INDEX_WATCH_H_
#define KSYM_SYMBOLIZER_API_INDEX_WATCH_H_

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace ksym {

class IndexWatch {
 public:
  // Lines between checks when output is not flushed per line.
  static constexpr uint64_t kCheckEvery = 64;

  // Stats `path` now. An empty path (an index not from a file) is never
  // checked.
  explicit IndexWatch(std::string path);

  // Before answering input line `line` (1-based): DataLoss when the file
  // was rewritten in place since the last check that passed, saying which
  // lines may have been answered from the changed file. A file replaced at
  // the path is OK (the mapping keeps the old one): replaced_notice() then
  // says so once.
  absl::Status Check(uint64_t line);
  // Whether to check before `line`, given the output's flushing.
  static bool Due(uint64_t line, bool flush_each_line) {
    return flush_each_line || line % kCheckEvery == 1;
  }

  // The notice of a replaced file, once; then nullopt.
  std::optional<std::string> replaced_notice();

 private:
  std::string path_;
  bool known_ = false;
  struct stat opened_ {};
  uint64_t checked_line_ = 0;  // the last line checked and found unchanged
  bool replaced_ = false;
  bool told_ = false;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_INDEX_WATCH_H_
