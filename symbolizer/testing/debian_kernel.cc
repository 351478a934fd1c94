#include "symbolizer/testing/debian_kernel.h"

#include <glob.h>

#include <cstdlib>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace testutil {
namespace {

std::vector<std::string> Glob(const std::string& pattern) {
  glob_t g;
  std::vector<std::string> out;
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;
}

}  // namespace

absl::StatusOr<DebianKernel> FindDebianKernel(
    const std::string& test_target, const DebianKernelSource& source) {
  const char* dir = std::getenv(source.env);
  if (dir == nullptr || *dir == '\0') {
    return absl::FailedPreconditionError(absl::StrCat(
        source.env, " is not set: run\n  ", source.env,
        "=$(tools/fetch-debian-kernel.sh", source.fetch_args,
        ") bazel test --test_env=", source.env, " ", test_target));
  }
  DebianKernel k;
  k.arch = source.arch;
  for (const char* sub : {"", "/dbg"}) {
    std::vector<std::string> v =
        Glob(absl::StrCat(dir, sub, "/usr/lib/debug/boot/vmlinux-*"));
    if (v.size() == 1) {
      k.vmlinux = v[0];
      break;
    }
  }
  if (k.vmlinux.empty()) {
    return absl::NotFoundError(absl::StrCat(
        dir, ": no (or several) usr/lib/debug/boot/vmlinux-RELEASE"));
  }
  k.release = k.vmlinux.substr(k.vmlinux.rfind("/vmlinux-") + 9);
  k.system_map = absl::StrCat(k.vmlinux.substr(0, k.vmlinux.rfind('/')),
                              "/System.map-", k.release);
  for (const char* sub : {"", "/img"}) {
    std::string m = absl::StrCat(dir, sub, "/lib/modules/", k.release);
    if (!Glob(m + "/modules.builtin.modinfo").empty()) k.modules_dir = m;
  }
  if (k.modules_dir.empty()) {
    return absl::NotFoundError(absl::StrCat(dir, ": no lib/modules/", k.release,
                                            "/modules.builtin.modinfo"));
  }
  return k;
}

}  // namespace testutil
}  // namespace ksym
