// The running kernel's default index: where it is cached, and opening it,
// building it first when it is missing. Every front end without an explicit
// index path (`ksym CMD` without -i, ksym_open_default in C,
// ksym.Index.running() in Python) goes through here, so the policy lives in
// one place.
//
//   absl::StatusOr<std::unique_ptr<Symbolizer>> s = OpenDefaultIndex();
//
// Location: $KSYM_INDEX when set and non-empty; else DIR/NAME.ksym with DIR
// = $XDG_CACHE_HOME/ksym, else $HOME/.cache/ksym (neither set: an error,
// never a directory everyone can write to, such as /tmp), and NAME
// = the kernel release ("kernel" when unknown) plus "-" and the first 12
// hex digits of its build-id when known: ~/.cache/ksym/6.1.0-28-cloud-
// amd64-5c2a0c9e1a77.ksym. The build-id in the name keeps two builds of
// one release apart. Both are checked as names first (identity_names.h): a
// release that is a path ("../../tmp/x") is an error, never a file name.
//
// Open: when no file exists at that location, the running kernel is
// indexed (BuildInputs{}: everything the machine has) and written there
// (temp file + rename, directories created), then opened. An existing file
// is checked against the live layout (freshness.h: a few kallsyms
// addresses and /proc/modules, well under a millisecond) and rebuilt the
// same way when stale: a reboot that moved KASLR, a module loaded,
// unloaded or reloaded elsewhere. So the cached index is, in effect, keyed
// by build-id, KASLR offset and the loaded-module set. Once per index file
// and boot (a stamp NAME.ksym.verified beside it), every core kallsyms line
// is compared too, so an index planted in the cache, or one left there
// from before, whose names differ anywhere is rebuilt.
//
// Safety (the index may be built and read by root): the cache directory
// DIR is created 0700 and must be a directory owned by the user, not
// writable by group or others; a cached index must be a regular file with
// the same owner and no group/other write bit (symbolizer/files/
// private_dir.h). Anything else is refused with a message saying what to
// fix, never used or replaced. A runtime index is written 0600 (it reveals
// the KASLR slide). $KSYM_INDEX names a file explicitly, like -i, and is
// used as given.
#ifndef KSYM_SYMBOLIZER_RUNNING_KERNEL_DEFAULT_INDEX_H_
#define KSYM_SYMBOLIZER_RUNNING_KERNEL_DEFAULT_INDEX_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "symbolizer/api/build_index.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// The environment variables the location depends on.
struct CacheEnvironment {
  std::string ksym_index;      // $KSYM_INDEX
  std::string xdg_cache_home;  // $XDG_CACHE_HOME
  std::string home;            // $HOME
  static CacheEnvironment FromProcess();
};

// The cache directory (see above); FailedPrecondition when neither
// XDG_CACHE_HOME nor HOME is set.
absl::StatusOr<std::string> CacheDirectory(const CacheEnvironment& env);
// The default index path of the kernel `id` (see above).
absl::StatusOr<std::string> DefaultIndexPath(const KernelIdentity& id,
                                             const CacheEnvironment& env);
// ... of the running kernel, in this process's environment.
absl::StatusOr<std::string> RunningKernelIndexPath();

// Builds an index from `inputs` and writes it to the default path of the
// kernel it describes (the identity the builder recorded). Refused
// (InvalidArgument, "name it with -o INDEX") for a --root other than /, and
// for sources that describe the running kernel without being read from it:
// only the running kernel's own build fills the slot OpenDefaultIndex
// trusts.
absl::StatusOr<BuiltIndex> BuildDefaultIndex(const BuildInputs& inputs,
                                             const ProgressFn& progress = {});

struct DefaultIndexOptions {
  IndexOptions index;  // passed to Symbolizer::Open
  // Told before the missing index is built, with its path.
  std::function<void(const std::string& path)> on_build;
  ProgressFn progress;  // of that build
  // Told before a stale index is rebuilt: its path and why it is stale.
  std::function<void(const std::string& path, const std::string& why)>
      on_stale;
  // Told after it was written (BuildSummary has the text to show).
  std::function<void(const BuiltIndex&)> on_built;
};

// Opens the running kernel's default index, building it when missing.
absl::StatusOr<std::unique_ptr<Symbolizer>> OpenDefaultIndex(
    const DefaultIndexOptions& options = {});

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_RUNNING_KERNEL_DEFAULT_INDEX_H_
