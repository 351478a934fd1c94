#include "symbolizer/builder/inputs.h"

#include <sys/stat.h>

#include <string>

#include <sys/utsname.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/builder/debug_fetch.h"
#include "symbolizer/builder/paths.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/files/root_path.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

bool DiscoveryMode(const BuildInputs& in) {
  return !in.root.empty() ||
         (in.kallsyms_path.empty() && in.system_map_path.empty() &&
          in.vmlinux_path.empty() && in.build_dir.empty());
}

InputSource Source(absl::string_view what, std::string path, SourceState state,
                   std::string why = "") {
  return {std::string(what), std::move(path), state, std::move(why)};
}

// `rel` under r.root, resolved as the root would (root_path.h).
std::string InRoot(const ResolvedInputs& r, absl::string_view rel) {
  return PathInRoot(r.root, rel);
}

// Reads a small text file of the root whole ("" when unreadable or not a
// regular file), whitespace stripped.
std::string ReadSmall(const ResolvedInputs& r, const std::string& path) {
  absl::StatusOr<std::string> text = ReadRegularFileInRoot(r.root, path, 4096);
  if (!text.ok()) return "";
  return std::string(absl::StripAsciiWhitespace(*text));
}

// The running kernel under r.root: release, build-id, arch.
void DiscoverIdentity(const BuildInputs& in, ResolvedInputs& r) {
  KernelIdentity& id = r.live_identity;
  id.address_space = AddressSpace::kRuntime;
  const std::string osrelease = InRoot(r, "proc/sys/kernel/osrelease");
  id.release = !in.release.empty() ? in.release : ReadSmall(r, osrelease);
  struct utsname u;
  if (r.root == "/" && uname(&u) == 0) {
    if (id.release.empty()) id.release = u.release;
    id.arch = u.machine;
  }
  // The release names files (lib/modules/R, vmlinux-R, the cache): a name
  // from the root, never a path.
  absl::Status release_ok = id.release.empty()
                                ? absl::OkStatus()
                                : CheckKernelRelease(id.release, osrelease);
  if (!release_ok.ok()) id.release.clear();
  r.sources.push_back(
      !in.release.empty()
          ? Source("release", "--release", SourceState::kFound)
      : !release_ok.ok()
          ? Source("release", osrelease, SourceState::kRejected,
                   absl::StrCat(release_ok.message(), "; give --release"))
      : !id.release.empty()
          ? Source("release", osrelease, SourceState::kFound)
          : Source("release", osrelease, SourceState::kMissing,
                   "unreadable; give --release"));
  r.notes = InRoot(r, "sys/kernel/notes");
  absl::StatusOr<std::string> notes = ReadRegularFileInRoot(r.root, r.notes, 1 << 20);
  std::string why;
  if (notes.ok()) {
    absl::StatusOr<std::string> b = ParseBuildIdNote(*notes, r.notes);
    if (b.ok()) {
      if (absl::Status s = CheckBuildId(*b, r.notes); !s.ok()) b = s;
    }
    if (b.ok()) {
      id.build_id = *b;
    } else {
      why = std::string(b.status().message());
    }
  } else {
    why = std::string(notes.status().message());
  }
  r.sources.push_back(
      id.build_id.empty()
          ? Source("build-id", r.notes, SourceState::kMissing, why)
          : Source("build-id", r.notes, SourceState::kFound));
}

// The first candidate vmlinux with the running kernel's build-id, else the
// one `fetcher` gets by that build-id.
void DiscoverVmlinux(ResolvedInputs& r, DebugFileFetcher* fetcher,
                     const ProgressFn& progress) {
  const KernelIdentity& id = r.live_identity;
  const std::string& rel = id.release;
  std::vector<std::string> candidates;
  if (!rel.empty()) {
    candidates.push_back(absl::StrCat("usr/lib/debug/boot/vmlinux-", rel));
    candidates.push_back(
        absl::StrCat("usr/lib/debug/lib/modules/", rel, "/vmlinux"));
  }
  if (id.build_id.size() > 2) {
    candidates.push_back(absl::StrCat("usr/lib/debug/.build-id/",
                                      id.build_id.substr(0, 2), "/",
                                      id.build_id.substr(2), ".debug"));
  }
  if (!rel.empty()) {
    candidates.push_back(absl::StrCat("lib/modules/", rel, "/build/vmlinux"));
    candidates.push_back(absl::StrCat("boot/vmlinux-", rel));
  }
  bool any = false;
  for (const std::string& c : candidates) {
    std::string path = InRoot(r, c);
    if (!IsRegularFile(path)) continue;
    any = true;
    absl::StatusOr<std::string> build_id = ReadElfBuildIdFile(path, r.root);
    if (!build_id.ok()) {
      r.sources.push_back(Source("vmlinux", path, SourceState::kRejected,
                                 std::string(build_id.status().message())));
      continue;
    }
    if (!id.build_id.empty() && *build_id != id.build_id) {
      r.sources.push_back(Source(
          "vmlinux", path, SourceState::kRejected,
          absl::StrCat("build-id ", build_id->empty() ? "(none)" : *build_id,
                       " but the running kernel's is ", id.build_id, " (",
                       r.notes, ")")));
      continue;
    }
    r.vmlinux = path;
    r.sources.push_back(Source("vmlinux", path, SourceState::kFound,
                               id.build_id.empty()
                                   ? "running kernel's build-id unknown: "
                                     "checked by addresses only"
                                   : ""));
    return;
  }
  if (!any) {
    r.sources.push_back(Source(
        "vmlinux",
        candidates.empty() ? "" : InRoot(r, candidates[0]),
        SourceState::kMissing,
        absl::StrCat("not installed (Debian/Ubuntu: the linux-image-RELEASE-"
                     "dbg or -dbgsym package; Fedora: kernel-debuginfo",
                     fetcher == nullptr ? "; or set DEBUGINFOD_URLS" : "",
                     ")")));
  }
  if (fetcher == nullptr) return;
  if (id.build_id.empty()) {
    r.sources.push_back(Source("vmlinux", fetcher->Servers(),
                               SourceState::kMissing,
                               "debuginfod: the running kernel's build-id is "
                               "unknown, so there is nothing to ask for"));
    return;
  }
  CheckedFetch fetched =
      FetchDebugFile(*fetcher, "vmlinux", id.build_id, progress);
  r.vmlinux = fetched.path;
  r.sources.push_back(std::move(fetched.source));
}

// System.map files in Debian's non-dbg image package are a one-line
// placeholder.
constexpr absl::string_view kPlaceholder = "The real System.map is in";

void DiscoverSystemMap(ResolvedInputs& r) {
  const std::string& rel = r.live_identity.release;
  if (rel.empty()) return;
  std::string first;
  for (const std::string& c :
       {absl::StrCat("boot/System.map-", rel),
        absl::StrCat("usr/lib/debug/boot/System.map-", rel)}) {
    std::string path = InRoot(r, c);
    if (first.empty()) first = path;
    if (!IsRegularFile(path)) continue;
    // Mapped, not read: only its first bytes are looked at here (the
    // symbol stage reads the whole file, 7 MB on a distribution kernel).
    absl::StatusOr<FileBytes> head = MapFileInRoot(r.root, path);
    if (!head.ok()) {
      r.sources.push_back(Source("System.map", path, SourceState::kRejected,
                                 std::string(head.status().message())));
      continue;
    }
    if (absl::StrContains(head->view().substr(0, 200), kPlaceholder)) {
      r.sources.push_back(
          Source("System.map", path, SourceState::kRejected,
                 "a placeholder (the real one is in the -dbg package)"));
      continue;
    }
    r.system_map = path;
    r.sources.push_back(Source("System.map", path, SourceState::kFound));
    return;
  }
  r.sources.push_back(
      Source("System.map", first, SourceState::kMissing, "not installed"));
}

bool HasModuleFiles(const std::string& root, const std::string& dir) {
  for (const char* f : {"modules.builtin", "modules.builtin.modinfo",
                        "modules.builtin.objs", "modules.builtin.ranges"}) {
    if (IsRegularFile(ConfinedPath(root, JoinPath(dir, f)))) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<ResolvedInputs> DiscoverInputs(const BuildInputs& in,
                                              DebugFileFetcher* fetcher,
                                              const ProgressFn& progress) {
  const std::string& build = in.build_dir;
  if (!build.empty() && !IsDirectory(build)) {
    return absl::NotFoundError(
        absl::StrCat(build, ": no such directory (--build-dir)"));
  }
  if (!in.modules_dir.empty() && !IsDirectory(in.modules_dir)) {
    return absl::NotFoundError(
        absl::StrCat(in.modules_dir, ": no such directory (--modules-dir)"));
  }
  auto in_build = [&](absl::string_view name) {
    if (build.empty()) return std::string();
    std::string path = JoinPath(build, name);
    return IsRegularFile(path) ? path : std::string();
  };
  auto explicit_or_build = [&](const std::string& given,
                               absl::string_view name) {
    return !given.empty() ? given : in_build(name);
  };
  ResolvedInputs r;
  r.build_dir = in.build_dir;
  r.modules_dir = in.modules_dir;
  r.kallsyms = in.kallsyms_path;
  r.system_map = explicit_or_build(in.system_map_path, "System.map");
  r.vmlinux = explicit_or_build(in.vmlinux_path, "vmlinux");
  if (!in.release.empty()) {
    if (absl::Status s = CheckKernelRelease(in.release, "--release");
        !s.ok()) {
      return s;
    }
  }
  if (DiscoveryMode(in)) {
    r.root = in.root.empty() ? "/" : in.root;
    if (!IsDirectory(r.root)) {
      return absl::NotFoundError(
          absl::StrCat(r.root, ": no such directory (--root)"));
    }
    r.live = true;
    DiscoverIdentity(in, r);
    if (r.kallsyms.empty()) {
      absl::StatusOr<std::string> kallsyms =
          ResolveInRoot(r.root, "proc/kallsyms");
      if (!kallsyms.ok()) return kallsyms.status();
      r.kallsyms = *kallsyms;
      if (!IsRegularFile(r.kallsyms)) {
        return absl::NotFoundError(absl::StrCat(
            r.kallsyms, ": missing (or not a regular file), so there is no "
                        "running kernel to index here (give --root DIR, or "
                        "its files)"));
      }
    }
    if (r.vmlinux.empty()) DiscoverVmlinux(r, fetcher, progress);
    if (r.system_map.empty()) DiscoverSystemMap(r);
    const std::string modules =
        InRoot(r, absl::StrCat("lib/modules/", r.live_identity.release));
    if (r.modules_dir.empty() && !r.live_identity.release.empty()) {
      if (HasModuleFiles(r.root, modules)) {
        r.modules_dir = modules;
      } else {
        r.sources.push_back(Source("modules directory", modules,
                                   SourceState::kMissing,
                                   "no modules.builtin* files"));
      }
    }
  }
  r.linker_map = explicit_or_build(in.linker_map_path, "vmlinux.map");
  r.kernel_release = in_build("include/config/kernel.release");
  auto module_file = [&](absl::string_view name) {
    if (!r.modules_dir.empty()) {
      std::string path = ConfinedPath(r.root, JoinPath(r.modules_dir, name));
      if (IsRegularFile(path)) return path;
    }
    return in_build(name);
  };
  r.modules_builtin = module_file("modules.builtin");
  r.modules_builtin_modinfo = module_file("modules.builtin.modinfo");
  r.modules_builtin_objs = module_file("modules.builtin.objs");
  r.modules_builtin_ranges = module_file("modules.builtin.ranges");
  if (!in.modules_dir.empty() && r.modules_builtin.empty() &&
      r.modules_builtin_modinfo.empty() && r.modules_builtin_objs.empty() &&
      r.modules_builtin_ranges.empty()) {
    return absl::NotFoundError(absl::StrCat(
        in.modules_dir,
        ": no modules.builtin, modules.builtin.modinfo, modules.builtin.objs "
        "or modules.builtin.ranges (expected a /lib/modules/RELEASE "
        "directory)"));
  }
  if (r.kallsyms == kLiveKallsyms && !r.live) {
    r.live = true;
    r.root = "/";
    r.notes = "/sys/kernel/notes";
    r.live_identity = RunningKernelIdentity();
  }

  // Each source once: what discovery said about it, else found or not.
  auto record = [&](absl::string_view what, const std::string& path) {
    for (const InputSource& s : r.sources) {
      if (s.what == what) return;
    }
    r.sources.push_back(
        path.empty() ? Source(what, "", SourceState::kMissing, "not given")
                     : Source(what, path, SourceState::kFound));
  };
  if (r.modules_dir.empty() && !in.modules_dir_missing_why.empty()) {
    for (const char* what : {"modules.builtin", "modules.builtin.modinfo"}) {
      if (module_file(what).empty()) {
        r.sources.push_back(Source(what, "", SourceState::kMissing,
                                   in.modules_dir_missing_why));
      }
    }
  }
  record("kallsyms", r.kallsyms);
  record("System.map", r.system_map);
  record("vmlinux", r.vmlinux);
  record("linker map", r.linker_map);
  record("modules.builtin", r.modules_builtin);
  record("modules.builtin.modinfo", r.modules_builtin_modinfo);
  record("modules.builtin.objs", r.modules_builtin_objs);
  record("modules.builtin.ranges", r.modules_builtin_ranges);
  return r;
}

}  // namespace ksym
