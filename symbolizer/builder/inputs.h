// Stage 1 of a build: which input files there are. BuildInputs is what the
// user named; DiscoverInputs resolves it into a plain struct of paths (a
// kernel build tree supplies the files not named explicitly) and says, for
// each source, whether it was found. Nothing is parsed here.
//
//   BuildInputs in;
//   in.build_dir = "/src/linux/build";
//   absl::StatusOr<ResolvedInputs> r = DiscoverInputs(in);
//   r->vmlinux      == "/src/linux/build/vmlinux"
//   r->linker_map   == "/src/linux/build/vmlinux.map"
//   r->sources      == {{"vmlinux", ".../vmlinux", kFound}, ...}
#ifndef KSYM_SYMBOLIZER_BUILDER_INPUTS_H_
#define KSYM_SYMBOLIZER_BUILDER_INPUTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/module_files.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/files/debuginfod_fetch.h"

namespace ksym {

struct BuildInputs {
  std::string kallsyms_path;    // /proc/kallsyms or a saved copy
  std::string system_map_path;  // System.map of the same kernel
  std::string vmlinux_path;     // vmlinux with .symtab (and DWARF)
  std::string linker_map_path;  // vmlinux.map (GNU ld or lld -Map)
  // A /lib/modules/RELEASE directory: modules.builtin,
  // modules.builtin.modinfo (and .objs, .ranges when present).
  std::string modules_dir;
  // Why there is no modules_dir, when the caller knows (an index store
  // building a kernel on demand): recorded as the modules.builtin sources'
  // reason instead of "not given".
  std::string modules_dir_missing_why;
  // A kernel build tree: vmlinux, System.map, vmlinux.map (+ vmlinux.o.map),
  // modules.builtin*, include/config/kernel.release and the .*.o.cmd files.
  // Explicit paths above win over the files found here.
  std::string build_dir;
  // Identity to record; when kallsyms_path is the live /proc/kallsyms and
  // this is empty, the running kernel's identity is used. Fields left empty
  // are filled from vmlinux. With a vmlinux and kallsyms, a non-empty
  // build_id here (or the running kernel's, for /proc/kallsyms) must match
  // the vmlinux's.
  KernelIdentity identity;
  bool identity_given = false;
  // The live system's root (`--root`, "" = "/"): giving it, or giving no
  // symbol source and no build tree, makes the build discover the running
  // kernel's sources under it (see DiscoverInputs).
  std::string root;
  // The release to look for (`--release`), instead of ROOT/proc/sys/kernel/
  // osrelease.
  std::string release;
  // Fetches the debug files discovery does not find locally, by build-id.
  // nullptr: BuildCatalog uses libdebuginfod when DEBUGINFOD_URLS is set
  // (DebuginfodFromEnvironment), else nothing is fetched. Not owned.
  DebugFileFetcher* debug_fetcher = nullptr;
  // Where a loaded module's debug file comes from when ROOT has none (e.g.
  // debuginfod); may be empty. See module_files.h.
  ModuleDebugLookup module_debug_lookup;
  // Read the vmlinux's source lines into the index's line section
  // (`--no-lines`: not; the index then says so where lines are asked for).
  bool lines = true;
};

// The live kernel's symbol list, read when no symbol source is given.
inline constexpr char kLiveKallsyms[] = "/proc/kallsyms";

// Every input path of a build, "" when absent.
struct ResolvedInputs {
  std::string kallsyms;
  std::string system_map;
  std::string vmlinux;
  std::string linker_map;
  std::string kernel_release;  // include/config/kernel.release of a tree
  std::string modules_builtin;
  std::string modules_builtin_modinfo;
  std::string modules_builtin_objs;
  std::string modules_builtin_ranges;
  std::string modules_dir;
  std::string build_dir;
  // kallsyms is the running kernel's /proc/kallsyms (or ROOT/proc/kallsyms):
  // live_identity is that kernel's, and `notes` where its build-id is.
  bool live = false;
  std::string root;
  std::string notes;
  KernelIdentity live_identity;
  // Each source looked for, in the order above.
  std::vector<InputSource> sources;
};

// Resolves `in`: explicit paths as given, the rest from the build tree and
// the modules directory when they hold them. NotFound when a named
// directory is missing, or a modules directory holds none of the
// modules.builtin* files. Files named explicitly are not checked here: the
// stage that reads them says what is wrong with them.
//
// Discovery (with `root`, or with no kallsyms, System.map, vmlinux or build
// tree named): the running kernel under ROOT (default /). Its release is
// `release`, else ROOT/proc/sys/kernel/osrelease; its build-id from
// ROOT/sys/kernel/notes. Then, each unless named explicitly, under ROOT:
//   kallsyms    proc/kallsyms
//   vmlinux     usr/lib/debug/boot/vmlinux-R, usr/lib/debug/lib/modules/R/
//               vmlinux, usr/lib/debug/.build-id/xx/rest.debug,
//               lib/modules/R/build/vmlinux, boot/vmlinux-R: the first
//               whose build-id is the running kernel's (the others are
//               rejected, naming both build-ids; a non-ELF file is
//               rejected too, e.g. a compressed image)
//   System.map  boot/System.map-R, usr/lib/debug/boot/System.map-R (Debian's
//               one-line placeholder is rejected)
//   modules     lib/modules/R when it holds modules.builtin*
// When no local vmlinux has the running kernel's build-id and `fetcher` is
// given (debuginfod), the vmlinux is fetched by that build-id and checked
// (see debug_fetch.h); `progress` shows the download.
// Every candidate looked at is in `sources`, found, missing or rejected.
// A root is untrusted: each path under it is resolved as the root would
// (files/root_path.h: absolute symlinks inside it, `..` never above it)
// and every reader opens it in the root again (files/root_fd.h), so the
// paths here are names, never reopened outside the root; its files are
// read only when regular (a FIFO is not waited on),
// and a release that is not a kernel release is rejected.
absl::StatusOr<ResolvedInputs> DiscoverInputs(
    const BuildInputs& in, DebugFileFetcher* fetcher = nullptr,
    const ProgressFn& progress = {});

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_INPUTS_H_
