// The debug files of a local debug tree by build-id, for trees whose
// `.build-id` links do not cover them: Debian's linux-image-*-dbg ships
//
//   usr/lib/debug/boot/vmlinux-RELEASE
//   usr/lib/debug/lib/modules/RELEASE/kernel/**/*.ko
//
// with `.build-id` links for the vDSO only. The tree is scanned once, on
// the first Find: each file's build-id note is read (ReadElfBuildIdFile),
// nothing else. Symbolic links are not followed (nothing leads out of the
// tree) and the scan is bounded in files and depth.
//
//   DebugTreeFiles files("/");
//   std::string vmlinux = files.Find("ebc52e2876d4430baf9b7b6f3226b56fe99c2d5f");
#ifndef KSYM_SYMBOLIZER_FLEET_DEBUG_TREE_FILES_H_
#define KSYM_SYMBOLIZER_FLEET_DEBUG_TREE_FILES_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace ksym {

class DebugTreeFiles {
 public:
  // At most this many files are looked at, at most this deep below
  // usr/lib/debug/lib/modules.
  static constexpr size_t kMaxFiles = 200000;
  static constexpr int kMaxDepth = 12;

  // `debug_root` as StoreOptions::debug_root ("/" for this machine).
  explicit DebugTreeFiles(std::string debug_root);

  // The path of the vmlinux or .ko whose build-id is `build_id` (lowercase
  // hex), or "" when the tree holds none. Thread-safe.
  std::string Find(absl::string_view build_id);

  // Files looked at by the scan (0 before the first Find).
  size_t scanned() const;

 private:
  void ScanLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScanDir(const std::string& dir, int depth, bool only_ko)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string root_;
  mutable absl::Mutex mu_;
  bool scanned_once_ ABSL_GUARDED_BY(mu_) = false;
  size_t scanned_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, std::string> path_of_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_DEBUG_TREE_FILES_H_
