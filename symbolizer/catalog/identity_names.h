// A kernel release or build-id read from an input (ROOT/proc/sys/kernel/
// osrelease, --release, a notes file, an index, a build tree) becomes part
// of file names: the cache file ~/.cache/ksym/RELEASE-BUILDID.ksym,
// ROOT/lib/modules/RELEASE, usr/lib/debug/.build-id/xx/rest.debug. An input
// under --root or from a server is untrusted, so each is checked as a name
// first: never a path, never a newline.
//
//   CheckKernelRelease("6.1.0-28-cloud-amd64")   -> OK
//   CheckKernelRelease("../../../../tmp/x/y")    -> InvalidArgument
//   CheckBuildId("5c2a0c9e1a77...")              -> OK
//   CheckModuleName("virtio_pci")                -> OK
#ifndef KSYM_SYMBOLIZER_CATALOG_IDENTITY_NAMES_H_
#define KSYM_SYMBOLIZER_CATALOG_IDENTITY_NAMES_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ksym {

// uname(2)'s release field holds at most __NEW_UTS_LEN (64) bytes.
inline constexpr size_t kMaxKernelReleaseBytes = 64;
// The longest build-id a note holds in practice is a SHA-256 (32 bytes);
// 64 bytes of lowercase hex leaves room.
inline constexpr size_t kMaxBuildIdHexDigits = 128;

// 1 to 64 bytes of [A-Za-z0-9._+~-], starting with a letter or digit (what
// kbuild makes of VERSION.PATCHLEVEL.SUBLEVEL, EXTRAVERSION and
// LOCALVERSION: "6.1.0-28-cloud-amd64", "6.6.9-200.fc39.x86_64",
// "6.8.0-rc1+"). InvalidArgument naming `what` and the byte otherwise.
absl::Status CheckKernelRelease(absl::string_view release,
                                absl::string_view what = "kernel release");

// An even number (2 to 128) of lowercase hex digits.
absl::Status CheckBuildId(absl::string_view build_id,
                          absl::string_view what = "build-id");

// The kernel's MODULE_NAME_LEN (64 - sizeof(unsigned long)) less the NUL.
inline constexpr size_t kMaxModuleNameBytes = 55;

// A loaded module's name as /proc/modules, kallsyms [mod] and sysfs give
// it, before it names ROOT/sys/module/NAME: 1 to 55 bytes of
// [A-Za-z0-9_-] ("virtio_pci", "__builtin__ftrace"). "../../tmp/x" is
// InvalidArgument.
absl::Status CheckModuleName(absl::string_view name,
                             absl::string_view what = "module name");

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_CATALOG_IDENTITY_NAMES_H_
