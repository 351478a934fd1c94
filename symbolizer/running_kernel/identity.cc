#include "symbolizer/running_kernel/identity.h"

#include <sys/utsname.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // notes are in the kernel's (= host) byte order
  return v;
}

uint64_t Align4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

}  // namespace

absl::StatusOr<std::string> ParseBuildIdNote(absl::string_view notes,
                                             absl::string_view filename) {
  constexpr uint32_t kNtGnuBuildId = 3;
  uint64_t pos = 0;
  while (pos + 12 <= notes.size()) {
    const uint32_t namesz = Load32(notes.data() + pos);
    const uint32_t descsz = Load32(notes.data() + pos + 4);
    const uint32_t type = Load32(notes.data() + pos + 8);
    const uint64_t name_at = pos + 12;
    const uint64_t desc_at = name_at + Align4(namesz);
    const uint64_t next = desc_at + Align4(descsz);
    if (next > notes.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          filename, ": note at offset ", pos, " (namesz ", namesz,
          ", descsz ", descsz, ") runs past the end (", notes.size(),
          " bytes)"));
    }
    if (type == kNtGnuBuildId && namesz == 4 &&
        std::memcmp(notes.data() + name_at, "GNU", 4) == 0) {
      return absl::BytesToHexString(notes.substr(desc_at, descsz));
    }
    pos = next;
  }
  return absl::NotFoundError(
      absl::StrCat(filename, ": no GNU build-id note"));
}

KernelIdentity RunningKernelIdentity() {
  KernelIdentity id;
  id.address_space = AddressSpace::kRuntime;
  struct utsname u;
  if (uname(&u) == 0) {
    id.release = u.release;
    id.arch = u.machine;
  }
  absl::StatusOr<std::string> notes =
      ReadFileToString("/sys/kernel/notes");
  if (notes.ok()) {
    absl::StatusOr<std::string> b =
        ParseBuildIdNote(*notes, "/sys/kernel/notes");
    if (b.ok()) id.build_id = *b;
  }
  return id;
}

}  // namespace ksym
