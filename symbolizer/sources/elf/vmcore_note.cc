#include "symbolizer/sources/elf/vmcore_note.h"

#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "symbolizer/sources/elf/elf_handle.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

// A core's note segment holds a prstatus note per CPU beside VMCOREINFO:
// a few hundred KB on the largest machines.
constexpr size_t kMaxNoteSegmentBytes = size_t{16} << 20;

constexpr absl::string_view kNoteName = "VMCOREINFO";

// Whether the file begins with the ELF magic; errors name the path.
absl::StatusOr<bool> StartsWithElfMagic(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, path);
  char magic[SELFMAG];
  const ssize_t n = pread(fd, magic, SELFMAG, 0);
  const int saved = errno;
  close(fd);
  if (n < 0) return absl::ErrnoToStatus(saved, path);
  return n == SELFMAG && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

}  // namespace

absl::StatusOr<std::string> VmcoreinfoNoteText(Elf* elf,
                                               absl::string_view path) {
  size_t count = 0;
  if (elf == nullptr || elf_kind(elf) != ELF_K_ELF ||
      elf_getphdrnum(elf, &count) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an ELF core with program headers"));
  }
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf, static_cast<int>(i), &phdr) == nullptr) {
      return LibelfError(path, absl::StrCat("program header ", i));
    }
    if (phdr.p_type != PT_NOTE || phdr.p_filesz == 0) continue;
    if (phdr.p_filesz > kMaxNoteSegmentBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": note segment ", i, " holds ", phdr.p_filesz,
          " bytes; a kernel core's notes are at most ", kMaxNoteSegmentBytes));
    }
    Elf_Data* data =
        elf_getdata_rawchunk(elf, static_cast<int64_t>(phdr.p_offset),
                             phdr.p_filesz, ELF_T_NHDR);
    if (data == nullptr) {
      return LibelfError(path, absl::StrCat("note segment ", i));
    }
    GElf_Nhdr nhdr;
    size_t name_offset, desc_offset;
    for (size_t offset = 0;
         (offset = gelf_getnote(data, offset, &nhdr, &name_offset,
                                &desc_offset)) > 0;) {
      const char* base = static_cast<const char*>(data->d_buf);
      // n_namesz counts the name's NUL.
      if (nhdr.n_namesz == kNoteName.size() + 1 &&
          absl::string_view(base + name_offset, kNoteName.size()) ==
              kNoteName) {
        return std::string(base + desc_offset, nhdr.n_descsz);
      }
    }
  }
  return absl::NotFoundError(
      absl::StrCat(path, ": no VMCOREINFO note in its note segments"));
}

absl::StatusOr<Vmcoreinfo> ParseVmcoreinfoCore(absl::string_view bytes,
                                               absl::string_view path) {
  ElfHandle handle = ElfHandle::OverMemory(bytes);
  absl::StatusOr<std::string> text = VmcoreinfoNoteText(handle.get(), path);
  if (!text.ok()) return text.status();
  return ParseVmcoreinfo(*text, absl::StrCat(path, " (VMCOREINFO note)"));
}

absl::StatusOr<Vmcoreinfo> ReadVmcoreinfo(const std::string& path) {
  absl::StatusOr<bool> elf = StartsWithElfMagic(path);
  if (!elf.ok()) return elf.status();
  if (!*elf) {
    absl::StatusOr<std::string> text =
        ReadFileToString(path, kMaxVmcoreinfoBytes);
    if (!text.ok()) return text.status();
    return ParseVmcoreinfo(*text, path);
  }
  absl::StatusOr<ElfHandle> handle = ElfHandle::OpenFile(path);
  if (!handle.ok()) return handle.status();
  absl::StatusOr<std::string> text = VmcoreinfoNoteText(handle->get(), path);
  if (!text.ok()) return text.status();
  return ParseVmcoreinfo(*text, absl::StrCat(path, " (VMCOREINFO note)"));
}

}  // namespace ksym
