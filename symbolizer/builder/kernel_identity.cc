#include "symbolizer/builder/kernel_identity.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/builder/paths.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {

absl::StatusOr<KernelIdentity> DecideIdentity(const BuildInputs& given,
                                              const ResolvedInputs& inputs,
                                              const StaticSymbols& statics,
                                              bool have_kallsyms,
                                              BuildLog& log) {
  KernelIdentity id;
  std::string running_build_id;
  std::string running_source;
  if (given.identity_given) {
    id = given.identity;
    running_build_id = id.build_id;
    running_source = "the given identity";
  } else if (inputs.live) {
    id = inputs.live_identity;
    running_build_id = id.build_id;
    running_source = inputs.notes;
  }
  if (!inputs.vmlinux.empty() && have_kallsyms) {
    if (!running_build_id.empty() && !statics.build_id.empty() &&
        running_build_id != statics.build_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          inputs.vmlinux, " has build-id ", statics.build_id,
          " but the running kernel's is ", running_build_id, " (",
          running_source,
          "): give the vmlinux of the running kernel (its -dbg package)"));
    }
    if (inputs.live && running_build_id.empty()) {
      log.Warn(absl::StrCat(
          "the running kernel's build-id is unknown (", inputs.notes,
          " unreadable): vmlinux is checked against kallsyms addresses only"));
    }
  }
  if (id.build_id.empty()) id.build_id = statics.build_id;
  if (id.arch.empty()) id.arch = statics.arch;
  std::string modules_release;
  if (!inputs.modules_dir.empty()) {
    absl::string_view dir = inputs.modules_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    modules_release = std::string(Basename(dir));
  }
  std::string tree_release;
  if (!inputs.kernel_release.empty()) {
    absl::StatusOr<std::string> text = ReadFileToString(inputs.kernel_release);
    if (text.ok()) {
      tree_release = std::string(absl::StripAsciiWhitespace(*text));
    }
  }
  if (id.release.empty()) {
    if (!statics.banner_release.empty()) {
      id.release = statics.banner_release;
    } else if (!tree_release.empty()) {
      id.release = tree_release;
    } else {
      id.release = modules_release;
    }
  }
  // The release names the cache file: from a banner or a tree it is
  // untrusted text, kept only when it is a release.
  if (!id.release.empty()) {
    if (absl::Status s = CheckKernelRelease(id.release); !s.ok()) {
      log.Warn(absl::StrCat(s.message(), ": recorded as unknown"));
      id.release.clear();
    }
  }
  // A modules directory named for another release is the wrong one.
  if (!modules_release.empty() && absl::ascii_isdigit(modules_release[0]) &&
      !id.release.empty() && modules_release != id.release) {
    log.Warn(absl::StrCat("modules directory ", inputs.modules_dir,
                          " is named for release ", modules_release,
                          " but the kernel is ", id.release));
  }
  return id;
}

}  // namespace ksym
