#include "symbolizer/api/default_index.h"

#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "symbolizer/api/freshness.h"
#include "symbolizer/builder/running_kernel.h"

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

std::string DefaultIndexPath(const KernelIdentity& id,
                             const CacheEnvironment& env) {
  if (!env.ksym_index.empty()) return env.ksym_index;
  std::string dir;
  if (!env.xdg_cache_home.empty()) {
    dir = absl::StrCat(env.xdg_cache_home, "/ksym");
  } else if (!env.home.empty()) {
    dir = absl::StrCat(env.home, "/.cache/ksym");
  } else {
    dir = "/tmp/ksym";
  }
  std::string name = id.release.empty() ? "kernel" : id.release;
  if (!id.build_id.empty()) {
    absl::StrAppend(&name, "-", id.build_id.substr(0, 12));
  }
  return absl::StrCat(dir, "/", name, ".ksym");
}

std::string RunningKernelIndexPath() {
  return DefaultIndexPath(RunningKernelIdentity(),
                          CacheEnvironment::FromProcess());
}

absl::StatusOr<BuiltIndex> BuildDefaultIndex(const BuildInputs& inputs,
                                             const ProgressFn& progress) {
  const absl::Time start = absl::Now();
  absl::StatusOr<BuildOutput> out = BuildCatalog(inputs, progress);
  if (!out.ok()) return out.status();
  if (progress) progress(0, 0, "writing index");
  const std::string path = DefaultIndexPath(out->catalog.identity,
                                            CacheEnvironment::FromProcess());
  return WriteIndexFile(*std::move(out), path, start);
}

absl::StatusOr<std::unique_ptr<Symbolizer>> OpenDefaultIndex(
    const DefaultIndexOptions& options) {
  const std::string path = RunningKernelIndexPath();
  auto build = [&]() -> absl::Status {
    absl::StatusOr<BuiltIndex> built =
        BuildIndexFile(BuildInputs{}, path, options.progress);
    if (!built.ok()) return built.status();
    if (options.on_built) options.on_built(*built);
    return absl::OkStatus();
  };
  if (access(path.c_str(), F_OK) != 0) {
    if (options.on_build) options.on_build(path);
    if (absl::Status st = build(); !st.ok()) return st;
    return Symbolizer::Open(path, options.index);
  }
  absl::StatusOr<std::unique_ptr<Symbolizer>> s =
      Symbolizer::Open(path, options.index);
  if (!s.ok()) return s;
  absl::StatusOr<LiveLayout> live = ReadLiveLayout("/");
  if (!live.ok()) return s;  // nothing to compare with
  const Freshness f = CheckFreshness(**s, *live);
  if (f.fresh) return s;
  s->reset();
  if (options.on_stale) options.on_stale(path, f.why);
  if (absl::Status st = build(); !st.ok()) return st;
  return Symbolizer::Open(path, options.index);
}

}  // namespace ksym
