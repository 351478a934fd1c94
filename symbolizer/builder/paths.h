// Small path helpers of the build stages (stat and string only).
#ifndef KSYM_SYMBOLIZER_BUILDER_PATHS_H_
#define KSYM_SYMBOLIZER_BUILDER_PATHS_H_

#include <sys/stat.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace ksym {

inline bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

inline bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "dir/name"; `name` alone when `dir` is empty.
inline std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

inline absl::string_view Basename(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// "core.c" and "kernel/sched/core.o" both have the stem "core".
inline absl::string_view Stem(absl::string_view path) {
  absl::string_view base = Basename(path);
  size_t dot = base.rfind('.');
  return dot == absl::string_view::npos || dot == 0 ? base
                                                    : base.substr(0, dot);
}

// The stem of an STT_FILE name as the object's stem. arm64 builds some
// objects apart and renames every symbol with `objcopy --prefix-symbols`,
// which renames their STT_FILE entries too: the nVHE hypervisor
// (arch/arm64/kvm/hyp/nvhe/Makefile: __kvm_nvhe_, objects FOO.nvhe.o), the
// early position-independent code (arch/arm64/kernel/pi/Makefile: __pi_,
// FOO.pi.o) and the EFI stub (drivers/firmware/efi/libstub/Makefile:
// __efistub_, FOO.stub.o). "__kvm_nvhe_hyp-init.nvhe.o" and
// "__kvm_nvhe_switch.c" have the stems "hyp-init" and "switch".
inline absl::string_view StFileStem(absl::string_view file) {
  absl::string_view stem = Stem(file);
  for (auto [prefix, suffix] :
       {std::pair<absl::string_view, absl::string_view>{"__kvm_nvhe_", ".nvhe"},
        {"__pi_", ".pi"},
        {"__efistub_", ".stub"}}) {
    if (absl::ConsumePrefix(&stem, prefix)) {
      absl::ConsumeSuffix(&stem, suffix);
      break;
    }
  }
  return stem;
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_PATHS_H_
