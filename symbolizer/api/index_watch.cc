#include "symbolizer/api/index_watch.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace ksym {

IndexWatch::IndexWatch(std::string path) : path_(std::move(path)) {
  known_ = !path_.empty() && stat(path_.c_str(), &opened_) == 0;
}

absl::Status IndexWatch::Check(uint64_t line) {
  if (!known_ || replaced_) return absl::OkStatus();
  struct stat now;
  if (stat(path_.c_str(), &now) != 0 || now.st_dev != opened_.st_dev ||
      now.st_ino != opened_.st_ino) {
    // Renamed over or removed: the mapping holds the file as opened.
    replaced_ = true;
    return absl::OkStatus();
  }
  if (now.st_size == opened_.st_size &&
      now.st_mtim.tv_sec == opened_.st_mtim.tv_sec &&
      now.st_mtim.tv_nsec == opened_.st_mtim.tv_nsec) {
    checked_line_ = line;
    return absl::OkStatus();
  }
  std::string stopped = absl::StrCat("stopped before line ", line);
  if (checked_line_ + 1 < line) {
    absl::StrAppend(&stopped, "; lines ", checked_line_ + 1, "-", line - 1,
                    " may have been answered from the changed file");
  }
  return absl::DataLossError(absl::StrCat(
      path_, " was rewritten in place while being read (size ",
      opened_.st_size, " -> ", now.st_size, "): ", stopped,
      "; replace an index by renaming a new file over it, as ksym build "
      "does"));
}

std::optional<std::string> IndexWatch::replaced_notice() {
  if (!replaced_ || told_) return std::nullopt;
  told_ = true;
  return absl::StrCat(path_,
                      " was replaced on disk; answers go on from the index "
                      "as it was when opened");
}

}  // namespace ksym
