// Finds the kbuild command files of a kernel build tree: for every object
// `dir/name.o` kbuild leaves `dir/.name.o.cmd`, whose first line is the
// command that built it,
//
//   savedcmd_fs/ext4/super.o := gcc ... -DKBUILD_MODFILE='"fs/ext4/ext4"' ...
//
// (ParseKbuildCmd in symbolizer/sources/modules_builtin.h reads it). Only
// that first line is read from each file; their dependency lists can be
// long.
#ifndef KSYM_SYMBOLIZER_BUILDER_KBUILD_TREE_H_
#define KSYM_SYMBOLIZER_BUILDER_KBUILD_TREE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "symbolizer/sources/modules_builtin.h"

namespace ksym {

struct KbuildTree {
  // Objects whose command names a module file, sorted by object path.
  std::vector<KbuildCmd> objects;
  size_t cmd_files = 0;  // `.*.o.cmd` files read
  // Files ParseKbuildCmd refused (other build systems under tools/ write
  // look-alike files); the first error is kept for the message.
  size_t malformed = 0;
  std::string first_error;
};

// Walks `build_dir` without following symbolic links to directories (a
// build tree's `source` link points at the whole source tree) and skipping
// `.git`; links to .cmd files are followed.
// NotFound when `build_dir` is not a readable directory.
absl::StatusOr<KbuildTree> ScanKbuildTree(const std::string& build_dir);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_KBUILD_TREE_H_
