#include "symbolizer/fleet/debug_tree_files.h"

#include <dirent.h>
#include <sys/stat.h>

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {

DebugTreeFiles::DebugTreeFiles(std::string debug_root)
    : root_(debug_root == "/" ? "" : std::move(debug_root)) {}

std::string DebugTreeFiles::Find(absl::string_view build_id) {
  absl::MutexLock lock(&mu_);
  if (!scanned_once_) {
    scanned_once_ = true;
    ScanLocked();
  }
  auto it = path_of_.find(build_id);
  return it == path_of_.end() ? std::string() : it->second;
}

size_t DebugTreeFiles::scanned() const {
  absl::MutexLock lock(&mu_);
  return scanned_;
}

void DebugTreeFiles::ScanLocked() {
  ScanDir(root_ + "/usr/lib/debug/boot", kMaxDepth, /*only_ko=*/false);
  ScanDir(root_ + "/usr/lib/debug/lib/modules", 0, /*only_ko=*/true);
}

void DebugTreeFiles::ScanDir(const std::string& dir, int depth,
                             bool only_ko) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = readdir(d)) {
    const absl::string_view name = e->d_name;
    if (name == "." || name == ".." || scanned_ >= kMaxFiles) continue;
    const std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;  // links are not followed
    if (S_ISDIR(st.st_mode)) {
      if (depth < kMaxDepth) ScanDir(path, depth + 1, only_ko);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    if (only_ko ? !absl::EndsWith(name, ".ko")
                : !absl::StartsWith(name, "vmlinux")) {
      continue;
    }
    ++scanned_;
    absl::StatusOr<std::string> id = ReadElfBuildIdFile(path);
    if (id.ok() && !id->empty()) path_of_.try_emplace(*id, path);
  }
  closedir(d);
}

}  // namespace ksym
