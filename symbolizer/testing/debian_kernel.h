// Finds the Debian 6.1 cloud kernel that tools/fetch-debian-kernel.sh
// fetched, for the tests that read a real distribution kernel:
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_kernel_test
//
// Layouts: the installed system's (usr/lib/debug/boot/vmlinux-RELEASE,
// lib/modules/RELEASE/...) or the two packages side by side in dbg/, img/.
#ifndef KSYM_SYMBOLIZER_TESTING_DEBIAN_KERNEL_H_
#define KSYM_SYMBOLIZER_TESTING_DEBIAN_KERNEL_H_

#include <string>

#include "absl/status/statusor.h"

namespace ksym {
namespace testutil {

struct DebianKernel {
  std::string vmlinux;
  std::string system_map;
  std::string modules_dir;
  std::string release;
  std::string arch;  // the vmlinux's, as KernelIdentity names it
};

// Which of the cached kernels: the environment variable that names its
// directory, the fetch script's arguments, the architecture.
struct DebianKernelSource {
  const char* env;
  const char* fetch_args;
  const char* arch;
};
inline constexpr DebianKernelSource kDebianAmd64 = {"KSYM_DEBIAN_KERNEL", "",
                                                    "x86_64"};
// tools/fetch-debian-kernel.sh --arch arm64
inline constexpr DebianKernelSource kDebianArm64 = {
    "KSYM_DEBIAN_ARM64_KERNEL", " --arch arm64", "aarch64"};

// From $KSYM_DEBIAN_KERNEL (or source.env); FailedPrecondition (saying how
// to set it) when unset, NotFound when the files are missing.
absl::StatusOr<DebianKernel> FindDebianKernel(
    const std::string& test_target,
    const DebianKernelSource& source = kDebianAmd64);

}  // namespace testutil
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_TESTING_DEBIAN_KERNEL_H_
