#include "symbolizer/builder/inputs.h"

#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "symbolizer/builder/paths.h"

namespace ksym {

absl::string_view SourceStateName(SourceState state) {
  switch (state) {
    case SourceState::kFound:
      return "found";
    case SourceState::kMissing:
      return "missing";
    case SourceState::kRejected:
      return "rejected";
  }
  return "?";
}

absl::StatusOr<ResolvedInputs> DiscoverInputs(const BuildInputs& in) {
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
  r.linker_map = explicit_or_build(in.linker_map_path, "vmlinux.map");
  r.kernel_release = in_build("include/config/kernel.release");
  auto module_file = [&](absl::string_view name) {
    if (!in.modules_dir.empty()) {
      std::string path = JoinPath(in.modules_dir, name);
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
  if (r.kallsyms.empty() && r.system_map.empty() && r.vmlinux.empty()) {
    r.kallsyms = kLiveKallsyms;
  }
  r.live = r.kallsyms == kLiveKallsyms;

  auto record = [&](absl::string_view what, const std::string& path) {
    SourceStatus s;
    s.what = std::string(what);
    s.path = path;
    s.state = path.empty() ? SourceState::kMissing : SourceState::kFound;
    if (path.empty()) s.why = "not given";
    r.sources.push_back(std::move(s));
  };
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
