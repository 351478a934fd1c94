// The host layout record: what a host ships beside its raw kernel addresses
// so that they can be symbolized elsewhere, from static indexes kept by
// build-id (store.h). No symbol table: a few hundred bytes plus one line per
// loaded module section.
//
// Text format, version 1 (one record per line, fields separated by one
// space, lines in this order, `#` lines ignored):
//
//   ksym-layout 1
//   kernel 6.1.0-57-cloud-amd64 3a1f9c...      release, build-id ("-": unknown)
//   text ffffffff9d000000                       runtime _text ("-": unknown)
//   module virtio_pci 9c02e1...                 name, build-id ("-": unknown)
//   section .text ffffffffc0381000              of the module above
//   section .data ffffffffc0385000
//
// A runtime address maps to the kernel as an offset from _text (the static
// index adds its link-time _text: the KASLR slide never needs to be known on
// the host, where only kallsyms is readable), or to a module section and
// an offset in it (layout_map.h). Build-ids and releases are checked as
// catalog/identity_names.h says; names are printable, without blanks.
//
//   absl::StatusOr<HostLayout> l = ParseHostLayout(bytes, "host1.layout");
//   std::string again = FormatHostLayout(*l);   // == bytes, comments aside
#ifndef KSYM_SYMBOLIZER_FLEET_HOST_LAYOUT_H_
#define KSYM_SYMBOLIZER_FLEET_HOST_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

inline constexpr int kHostLayoutVersion = 1;

struct LayoutSection {
  std::string name;      // ".text", as /sys/module/M/sections names it
  uint64_t address = 0;  // runtime load address
};

struct LayoutModule {
  std::string name;      // "virtio_pci"
  std::string build_id;  // lowercase hex, "" when unknown
  std::vector<LayoutSection> sections;
};

struct HostLayout {
  std::string release;   // "" when unknown
  std::string build_id;  // the kernel's, "" when unknown
  bool text_known = false;
  uint64_t text_address = 0;  // runtime address of _text
  std::vector<LayoutModule> modules;
};

// CheckBuildId (catalog/identity_names.h): 2..128 lowercase hex digits, an
// even count; safe as a file name (index_store.h).
bool IsBuildIdHex(absl::string_view id);

std::string FormatHostLayout(const HostLayout& layout);

// {"version":1,"release":...,"build_id":...,"text":"0x...",
//  "modules":[{"name":...,"build_id":...,"sections":{".text":"0x..."}}]}
std::string HostLayoutJson(const HostLayout& layout);

// InvalidArgument "FILE:LINE: what was expected" for a malformed line, an
// unknown record, a bad build-id or address, a section before any module, a
// module or section named twice; FailedPrecondition for a version other
// than 1.
absl::StatusOr<HostLayout> ParseHostLayout(absl::string_view bytes,
                                           absl::string_view filename);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_HOST_LAYOUT_H_
