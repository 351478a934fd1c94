#include "symbolizer/sources/elf/elf_handle.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "symbolizer/files/root_fd.h"

namespace ksym {
namespace {

void InitLibelf() {
  // elf_version must precede any other libelf call; static init is
  // thread-safe.
  static const bool initialized = elf_version(EV_CURRENT) != EV_NONE;
  (void)initialized;
}

}  // namespace

ElfHandle ElfHandle::OverMemory(absl::string_view bytes) {
  InitLibelf();
  // elf_memory takes a mutable pointer; see the header for when it writes.
  Elf* elf = elf_memory(const_cast<char*>(bytes.data()), bytes.size());
  return ElfHandle(elf, -1);
}

absl::StatusOr<ElfHandle> ElfHandle::OpenFile(const std::string& path,
                                              const std::string& root) {
  InitLibelf();
  int fd;
  if (IsConfined(root, path)) {
    // O_NONBLOCK: a FIFO planted in the root must not block the open.
    absl::StatusOr<UniqueFd> opened =
        OpenConfined(root, path, O_RDONLY | O_NONBLOCK);
    if (!opened.ok()) return opened.status();
    struct stat st;
    if (fstat(opened->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": not a regular file"));
    }
    fd = opened->release();
  } else {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::ErrnoToStatus(errno, path);
  }
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  return ElfHandle(elf, fd);
}

ElfHandle::ElfHandle(ElfHandle&& other) noexcept
    : elf_(std::exchange(other.elf_, nullptr)),
      fd_(std::exchange(other.fd_, -1)) {}

ElfHandle& ElfHandle::operator=(ElfHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    elf_ = std::exchange(other.elf_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ElfHandle::~ElfHandle() { Reset(); }

void ElfHandle::Reset() {
  if (elf_ != nullptr) elf_end(elf_);
  if (fd_ >= 0) close(fd_);
  elf_ = nullptr;
  fd_ = -1;
}

absl::StatusOr<GElf_Ehdr> ReadElfHeader(Elf* elf, absl::string_view path) {
  if (elf == nullptr || elf_kind(elf) != ELF_K_ELF) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an ELF file"));
  }
  GElf_Ehdr ehdr;
  if (gelf_getehdr(elf, &ehdr) == nullptr) {
    return LibelfError(path, "reading the ELF header");
  }
  size_t size = 0;
  if (elf_rawfile(elf, &size) == nullptr) {
    return LibelfError(path, "reading the ELF image");
  }
  if (ehdr.e_shoff != 0) {
    // With more than SHN_LORESERVE sections e_shnum is 0 and section 0
    // holds the count: at least that header must be there.
    uint64_t count = ehdr.e_shnum != 0 ? ehdr.e_shnum : 1;
    uint64_t end = ehdr.e_shoff + count * ehdr.e_shentsize;
    if (end > size || end < ehdr.e_shoff) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": truncated: section headers end at byte ", end,
                       " (expected at most ", size, ", the file size)"));
    }
  }
  return ehdr;
}

absl::Status LibelfError(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", what, ": ", elf_errmsg(-1)));
}

}  // namespace ksym
