// Reads a host's layout record (host_layout.h) from its live files, under
// ROOT ("" or "/" for this machine; a container's host root or a saved
// system otherwise):
//
//   release    ROOT/proc/sys/kernel/osrelease
//   build-id   ROOT/sys/kernel/notes
//   _text      the head of ROOT/proc/kallsyms up to its _text line (among
//              its first lines; at most 1 MiB; 0 under kptr_restrict
//              means unknown)
//   modules    ROOT/proc/modules, then per module M
//              ROOT/sys/module/M/notes/.note.gnu.build-id and
//              ROOT/sys/module/M/sections/* (not .init.*: freed after load)
//
// Module names come from a file of the host and are untrusted: one that is
// not a module name (identity_names.h CheckModuleName, the rule every
// reader of module names shares) is an error, never part of a path. Each read is
// bounded in bytes and opened in the root (files/root_fd.h: a symlink
// never leads out of it; a section file is opened from its directory's fd
// without following links). What the host does not show is recorded as
// unknown. About 70 µs on a host without modules, 1.7 ms for 8 modules
// and 248 sections (read_host_layout_benchmark, docs/performance.md).
//
//   absl::StatusOr<HostLayout> l = ReadHostLayout("/");
#ifndef KSYM_SYMBOLIZER_FLEET_READ_HOST_LAYOUT_H_
#define KSYM_SYMBOLIZER_FLEET_READ_HOST_LAYOUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/fleet/host_layout.h"

namespace ksym {

// The runtime address of _text (else _stext) in the first bytes of a
// kallsyms text; NotFound when neither is there, or it reads 0 (hidden by
// kptr_restrict).
absl::StatusOr<uint64_t> FindTextAddress(absl::string_view kallsyms_head);

// NotFound when ROOT/proc is missing; InvalidArgument for a malformed
// /proc/modules, module name or section address (naming the file).
absl::StatusOr<HostLayout> ReadHostLayout(const std::string& root);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_READ_HOST_LAYOUT_H_
