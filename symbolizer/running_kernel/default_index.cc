#include "symbolizer/running_kernel/default_index.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "symbolizer/running_kernel/freshness.h"
#include "symbolizer/builder/inputs.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/files/private_dir.h"
#include "symbolizer/files/safe_write.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

CacheEnvironment CacheEnvironment::FromProcess() {
  CacheEnvironment env;
  env.ksym_index = Env("KSYM_INDEX");
  env.xdg_cache_home = Env("XDG_CACHE_HOME");
  env.home = Env("HOME");
  return env;
}

absl::StatusOr<std::string> CacheDirectory(const CacheEnvironment& env) {
  if (!env.xdg_cache_home.empty()) {
    return absl::StrCat(env.xdg_cache_home, "/ksym");
  }
  if (!env.home.empty()) return absl::StrCat(env.home, "/.cache/ksym");
  return absl::FailedPreconditionError(
      "no cache directory for the running kernel's index: neither "
      "XDG_CACHE_HOME nor HOME is set (set one, or name the index with -i "
      "or KSYM_INDEX)");
}

absl::StatusOr<std::string> DefaultIndexPath(const KernelIdentity& id,
                                             const CacheEnvironment& env) {
  if (!env.ksym_index.empty()) return env.ksym_index;
  absl::StatusOr<std::string> dir = CacheDirectory(env);
  if (!dir.ok()) return dir.status();
  // Both come from inputs (a root's osrelease, a vmlinux banner): names,
  // never paths.
  if (!id.release.empty()) {
    if (absl::Status s = CheckKernelRelease(id.release); !s.ok()) return s;
  }
  if (!id.build_id.empty()) {
    if (absl::Status s = CheckBuildId(id.build_id); !s.ok()) return s;
  }
  std::string name = id.release.empty() ? "kernel" : id.release;
  if (!id.build_id.empty()) {
    absl::StrAppend(&name, "-", id.build_id.substr(0, 12));
  }
  return absl::StrCat(*dir, "/", name, ".ksym");
}

absl::StatusOr<std::string> RunningKernelIndexPath() {
  return DefaultIndexPath(RunningKernelIdentity(),
                          CacheEnvironment::FromProcess());
}

namespace {

// The cache directory made (0700) and checked, unless KSYM_INDEX names the
// file explicitly.
absl::Status PrepareCache(const CacheEnvironment& env) {
  if (!env.ksym_index.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> dir = CacheDirectory(env);
  if (!dir.ok()) return dir.status();
  return EnsurePrivateDirectory(*dir);
}

// A cached index whose every name was compared with the live kallsyms
// (after its build, or a full freshness check) is stamped: the stamp file
// NAME.ksym.verified, in the same private directory, holds the index's
// inode, size, mtime and ctime and the boot id. While they match, only the
// cheap head check runs (~0.1 ms); a replaced or touched index, a reboot or
// an index from before stamps gets the full compare once (~0.3 s for
// 121,000 lines, most of it the kernel printing kallsyms).
std::string StampPath(const std::string& index) {
  return absl::StrCat(index, ".verified");
}

std::string CurrentStamp(const std::string& index) {
  struct stat st;
  if (stat(index.c_str(), &st) != 0) return "";
  absl::StatusOr<std::string> boot =
      ReadFileToString("/proc/sys/kernel/random/boot_id", 64);
  return absl::StrCat("dev ", st.st_dev, " ino ", st.st_ino, " size ",
                      st.st_size, " mtime ", st.st_mtim.tv_sec, ".",
                      st.st_mtim.tv_nsec, " ctime ", st.st_ctim.tv_sec, ".",
                      st.st_ctim.tv_nsec, " boot ", boot.ok() ? *boot : "?\n");
}

bool Stamped(const std::string& index) {
  absl::StatusOr<std::string> stamp = ReadFileToString(StampPath(index), 4096);
  return stamp.ok() && *stamp == CurrentStamp(index);
}

void Stamp(const std::string& index) {
  // Best effort: without a stamp the next open compares fully again.
  (void)WriteFileAtomically(StampPath(index), CurrentStamp(index),
                            {.mode = 0600});
}

bool IsHostRoot(const std::string& root) { return root.empty() || root == "/"; }

// Whether `inputs` read the running kernel itself (discovery at /, or the
// live /proc/kallsyms): only such a build may fill the running kernel's
// cache slot, which OpenDefaultIndex then trusts.
bool ReadsTheRunningKernel(const BuildInputs& in) {
  if (!IsHostRoot(in.root)) return false;
  if (in.identity_given) return false;
  const bool discovery = in.kallsyms_path.empty() &&
                         in.system_map_path.empty() &&
                         in.vmlinux_path.empty() && in.build_dir.empty();
  return discovery || !in.root.empty() || in.kallsyms_path == kLiveKallsyms;
}

}  // namespace

absl::StatusOr<BuiltIndex> BuildDefaultIndex(const BuildInputs& inputs,
                                             const ProgressFn& progress) {
  const absl::Time start = absl::Now();
  // A root is another system, often one an attacker made (a container
  // image, a copied-in tree): its index never goes into the cache, where
  // the running kernel's own would be looked for.
  if (!IsHostRoot(inputs.root)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--root ", inputs.root,
        ": an index of another root is not cached; name it with -o INDEX"));
  }
  const CacheEnvironment env = CacheEnvironment::FromProcess();
  if (absl::Status s = PrepareCache(env); !s.ok()) return s;
  absl::StatusOr<BuildOutput> out = BuildCatalog(inputs, progress);
  if (!out.ok()) return out.status();
  if (progress) progress(0, 0, "writing index");
  absl::StatusOr<std::string> path =
      DefaultIndexPath(out->catalog.identity, env);
  if (!path.ok()) return path.status();
  if (env.ksym_index.empty() && !ReadsTheRunningKernel(inputs)) {
    absl::StatusOr<std::string> running =
        DefaultIndexPath(RunningKernelIdentity(), env);
    if (running.ok() && *running == *path) {
      return absl::InvalidArgumentError(absl::StrCat(
          "these sources describe the running kernel (", *path,
          ") but are not read from it: name the index with -o INDEX (the "
          "running kernel's cached index is built only from /proc/kallsyms)"));
    }
  }
  return WriteIndexFile(*std::move(out), *path, start);
}

absl::StatusOr<std::unique_ptr<Symbolizer>> OpenDefaultIndex(
    const DefaultIndexOptions& options) {
  const CacheEnvironment env = CacheEnvironment::FromProcess();
  absl::StatusOr<std::string> where =
      DefaultIndexPath(RunningKernelIdentity(), env);
  if (!where.ok()) return where.status();
  const std::string path = *where;
  if (absl::Status s = PrepareCache(env); !s.ok()) return s;
  bool missing;
  if (env.ksym_index.empty()) {
    // Only our own regular file in our private cache is trusted.
    absl::Status s = CheckPrivateFile(path);
    missing = absl::IsNotFound(s);
    if (!s.ok() && !missing) return s;
  } else {
    missing = access(path.c_str(), F_OK) != 0;
  }
  auto build = [&]() -> absl::Status {
    absl::StatusOr<BuiltIndex> built =
        BuildIndexFile(BuildInputs{}, path, options.progress);
    if (!built.ok()) return built.status();
    if (env.ksym_index.empty()) Stamp(path);
    if (options.on_built) options.on_built(*built);
    return absl::OkStatus();
  };
  if (missing) {
    if (options.on_build) options.on_build(path);
    if (absl::Status st = build(); !st.ok()) return st;
    return Symbolizer::Open(path, options.index);
  }
  absl::StatusOr<std::unique_ptr<Symbolizer>> s =
      Symbolizer::Open(path, options.index);
  if (!s.ok()) return s;
  // The cached index is trusted without -i: every live name is compared,
  // once per index file and boot.
  const bool full = env.ksym_index.empty() && !Stamped(path);
  absl::StatusOr<LiveLayout> live = ReadLiveLayout(
      "/", full ? LiveDepth::kEveryCoreSymbol : LiveDepth::kHead);
  if (!live.ok()) return s;  // nothing to compare with
  const Freshness f = CheckFreshness(**s, *live);
  if (f.fresh) {
    if (full && !live->kallsyms_core.empty()) Stamp(path);
    return s;
  }
  s->reset();
  if (options.on_stale) options.on_stale(path, f.why);
  if (absl::Status st = build(); !st.ok()) return st;
  return Symbolizer::Open(path, options.index);
}

}  // namespace ksym
