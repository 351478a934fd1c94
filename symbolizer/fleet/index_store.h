// A directory of static indexes by build-id, laid out like debuginfod's and
// the debug packages' `.build-id` tree: one index per kernel build and per
// module build, link-time (kernel) or section-placed (module_index.h)
// addresses, so that one index serves every host and every boot of a build.
//
//   STORE/.build-id/3a/1f9c0011223344556677889900aabbccddeeff.ksym
//
//   IndexStore store("/srv/ksym-store");
//   absl::StatusOr<IndexStore::Added> a = store.Add("vmlinux-6.1.0-57", {});
//   absl::StatusOr<std::unique_ptr<Symbolizer>> s = store.Open(a->build_id);
//
// Build-ids come from untrusted records (host_layout.h): only 2 to 128
// lowercase hex digits form a path, anything else is InvalidArgument.
// Files are written to a temp file and renamed into place (index/writer.h),
// so processes filling one store at once never see a torn file; two writing
// the same build-id write the same bytes. Opening checks every checksum and
// that the index is static and of the build-id asked for: a damaged or
// foreign file is an error (DataLoss), never used.
//
// A build-id not in the store is built on demand: from its debug file in a
// local debug tree (DEBUG_ROOT/usr/lib/debug/.build-id/xx/rest.debug), else
// through debuginfod (libdebuginfod), then kept. Where the tree's .build-id
// links miss (Debian's -dbg packages link only the vDSO), its vmlinux and
// .ko files are found by their build-id notes (debug_tree_files.h). A kernel's built-in modules
// and System.map come from the debug tree too, where it has them
// (KernelExtrasInDebugTree).
#ifndef KSYM_SYMBOLIZER_FLEET_INDEX_STORE_H_
#define KSYM_SYMBOLIZER_FLEET_INDEX_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/files/debuginfod_fetch.h"
#include "symbolizer/fleet/debug_tree_files.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct StoreOptions {
  // Root of a local debug tree ("/" for this machine's debug packages), ""
  // for none.
  std::string debug_root;
  // Fetches missing debug files by build-id; nullptr: none. Not owned.
  DebugFileFetcher* fetcher = nullptr;
};

// For a vmlinux: the files that give its built-in modules and sizes, as
// `ksym build` takes them (both optional).
struct KernelExtras {
  std::string modules_dir;  // /lib/modules/RELEASE
  // Why modules_dir is empty, when known: the index records it as the
  // reason its built-in modules are missing.
  std::string modules_dir_missing_why;
  std::string system_map;
};

// The modules directory and System.map of the vmlinux `vmlinux` in the
// local debug tree `debug_root` (see StoreOptions), found by the release
// its linux_banner names: DEBUG_ROOT/usr/lib/debug/lib/modules/RELEASE
// (the -dbg package) or DEBUG_ROOT/lib/modules/RELEASE (the image
// package), DEBUG_ROOT/usr/lib/debug/boot/System.map-RELEASE or
// DEBUG_ROOT/boot/System.map-RELEASE. Empty fields where none is there.
KernelExtras KernelExtrasInDebugTree(const std::string& debug_root,
                                     const std::string& vmlinux);

class IndexStore {
 public:
  explicit IndexStore(std::string dir, StoreOptions options = {});

  const std::string& dir() const { return dir_; }

  // STORE/.build-id/xx/rest.ksym; InvalidArgument for a build-id that is not
  // lowercase hex.
  absl::StatusOr<std::string> PathFor(absl::string_view build_id) const;

  struct Added {
    std::string build_id;
    std::string path;
    bool module = false;  // a module build (else a kernel build)
    uint64_t symbols = 0;
  };
  // Indexes the vmlinux or (debug) .ko at `elf_path` into the store under
  // its own build-id (replacing what was there).
  absl::StatusOr<Added> Add(const std::string& elf_path,
                            const KernelExtras& extras = {}) const;

  // The index of `build_id`, built on demand when missing (see above).
  // NotFound when it is neither in the store nor obtainable.
  absl::StatusOr<std::unique_ptr<Symbolizer>> Open(
      absl::string_view build_id) const;

 private:
  absl::StatusOr<std::unique_ptr<Symbolizer>> OpenStored(
      absl::string_view build_id, const std::string& path) const;
  // The debug file of `build_id` from the local tree or debuginfod.
  absl::StatusOr<std::string> FindDebugFile(absl::string_view build_id) const;

  std::string dir_;
  StoreOptions options_;
  // The debug tree's vmlinux and .ko files by build-id, scanned once when
  // its .build-id links miss (shared by copies of the store).
  std::shared_ptr<DebugTreeFiles> debug_files_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_INDEX_STORE_H_
