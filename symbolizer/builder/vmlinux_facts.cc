#include "symbolizer/builder/vmlinux_facts.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/files/root_fd.h"

namespace ksym {
namespace {

constexpr absl::string_view kIgnoredPrefixes[] = {
    "$",
    ".L",
    "__efistub_",
    "__pi_$",
    "__pi_.L",
    "__kvm_nvhe_$",
    "__kvm_nvhe_.L",
    "__AArch64ADRPThunk_",
    "__ARMV5PILongThunk_",
    "__ARMV7PILongThunk_",
    "__ThumbV7PILongThunk_",
    "__LA25Thunk_",
    "__microLA25Thunk_",
    "__kcfi_typeid_",
    "__kvm_nvhe___kcfi_typeid_",
    "__pi___kcfi_typeid_",
    "__crc_",
    "__kstrtab_",
    "__kstrtabns_",
};
constexpr absl::string_view kIgnoredSuffixes[] = {"_from_arm", "_from_thumb",
                                                  "_veneer"};
constexpr absl::string_view kIgnoredNames[] = {"L0", "_SDA_BASE_",
                                               "_SDA2_BASE_"};

// Closes the descriptor and ends the libelf handle on every path.
class ElfFile {
 public:
  ~ElfFile() {
    if (elf_ != nullptr) elf_end(elf_);
    if (fd_ >= 0) close(fd_);
  }
  absl::Status Open(const std::string& path, const std::string& root) {
    static const bool initialized = elf_version(EV_CURRENT) != EV_NONE;
    (void)initialized;
    if (IsConfined(root, path)) {
      // In the root (files/root_fd.h); a FIFO there must not block.
      absl::StatusOr<UniqueFd> fd =
          OpenConfined(root, path, O_RDONLY | O_NONBLOCK);
      if (!fd.ok()) return fd.status();
      struct stat st;
      if (fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, ": not a regular file"));
      }
      fd_ = fd->release();
    } else {
      fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd_ < 0) return absl::ErrnoToStatus(errno, path);
    elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
    if (elf_ == nullptr || elf_kind(elf_) != ELF_K_ELF) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not an ELF file"));
    }
    return absl::OkStatus();
  }
  Elf* get() const { return elf_; }

 private:
  int fd_ = -1;
  Elf* elf_ = nullptr;
};

// The R_*_RELATIVE type of a machine's dynamic relocations (B + A), or 0.
uint32_t RelativeRelocationType(unsigned machine) {
  switch (machine) {
    case EM_AARCH64:
      return R_AARCH64_RELATIVE;
    case EM_X86_64:
      return R_X86_64_RELATIVE;
    case EM_RISCV:
      return R_RISCV_RELATIVE;
    case EM_PPC64:
      return R_PPC64_RELATIVE;
    case EM_S390:
      return R_390_RELATIVE;
    default:
      return 0;
  }
}

}  // namespace

bool MksysmapKeeps(char nm_type, absl::string_view name) {
  if (nm_type == 'a' || nm_type == 'N' || nm_type == 'U' || nm_type == 'w') {
    return false;
  }
  for (absl::string_view prefix : kIgnoredPrefixes) {
    if (absl::StartsWith(name, prefix)) return false;
  }
  for (absl::string_view suffix : kIgnoredSuffixes) {
    if (absl::EndsWith(name, suffix)) return false;
  }
  for (absl::string_view ignored : kIgnoredNames) {
    if (name == ignored) return false;
  }
  return true;
}

absl::StatusOr<std::string> ReleaseFromBanner(absl::string_view banner) {
  absl::string_view rest = banner;
  if (!absl::ConsumePrefix(&rest, "Linux version ")) {
    return absl::InvalidArgumentError(
        absl::StrCat("linux_banner \"", absl::CHexEscape(banner.substr(0, 40)),
                     "\" does not start with \"Linux version \""));
  }
  size_t end = 0;
  while (end < rest.size() &&
         !absl::ascii_isspace(static_cast<unsigned char>(rest[end]))) {
    ++end;
  }
  if (end == 0) {
    return absl::InvalidArgumentError(
        "linux_banner has no release after \"Linux version \"");
  }
  return std::string(rest.substr(0, end));
}

absl::StatusOr<std::string> ReadElfString(const std::string& path,
                                          uint64_t address, size_t max_length,
                                          const std::string& root) {
  ElfFile file;
  if (absl::Status s = file.Open(path, root); !s.ok()) return s;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(file.get(), scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    if ((shdr.sh_flags & SHF_ALLOC) == 0 || shdr.sh_type == SHT_NOBITS ||
        address < shdr.sh_addr || address - shdr.sh_addr >= shdr.sh_size) {
      continue;
    }
    Elf_Data* data = elf_rawdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) break;
    uint64_t offset = address - shdr.sh_addr;
    if (offset >= data->d_size) break;
    absl::string_view bytes(static_cast<const char*>(data->d_buf) + offset,
                            data->d_size - offset);
    bytes = bytes.substr(0, std::min(bytes.find('\0'), max_length));
    return std::string(bytes);
  }
  return absl::NotFoundError(absl::StrCat(
      path, ": no allocated section holds address 0x", absl::Hex(address)));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ReadDyndbgDescriptors(const std::string& path,
                      const std::vector<uint64_t>& addresses,
                      const std::string& root) {
  std::vector<std::pair<std::string, std::string>> out;
  if (addresses.empty()) return out;
  ElfFile file;
  if (absl::Status s = file.Open(path, root); !s.ok()) return s;
  GElf_Ehdr ehdr;
  if (gelf_getehdr(file.get(), &ehdr) == nullptr ||
      ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
      ehdr.e_ident[EI_DATA] != ELFDATA2LSB) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": dynamic-debug descriptors are read from 64-bit "
              "little-endian files only"));
  }
  struct Section {
    uint64_t addr;
    absl::string_view bytes;
  };
  std::vector<Section> sections;
  // A relocatable (-pie) kernel, as arm64's, leaves pointers in its data
  // 0 in the file: R_*_RELATIVE relocations of .rela.dyn place them at
  // boot, their addend the link-time address. Only the descriptors'
  // pointer fields are looked up.
  const uint32_t relative = RelativeRelocationType(ehdr.e_machine);
  absl::flat_hash_map<uint64_t, uint64_t> relocated;
  for (uint64_t a : addresses) {
    relocated.emplace(a, 0);
    relocated.emplace(a + 16, 0);
  }
  absl::flat_hash_set<uint64_t> has_relocation;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(file.get(), scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    if (shdr.sh_type == SHT_RELA && relative != 0) {
      Elf_Data* data = elf_getdata(scn, nullptr);
      const size_t n = shdr.sh_entsize == 0 ? 0 : shdr.sh_size / shdr.sh_entsize;
      GElf_Rela rela;
      for (size_t i = 0; data != nullptr && i < n; ++i) {
        if (gelf_getrela(data, static_cast<int>(i), &rela) == nullptr) break;
        if (GELF_R_TYPE(rela.r_info) != relative) continue;
        auto it = relocated.find(rela.r_offset);
        if (it == relocated.end()) continue;
        it->second = static_cast<uint64_t>(rela.r_addend);
        has_relocation.insert(rela.r_offset);
      }
    }
    if ((shdr.sh_flags & SHF_ALLOC) == 0 || shdr.sh_type == SHT_NOBITS) {
      continue;
    }
    Elf_Data* data = elf_rawdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) continue;
    sections.push_back(
        {shdr.sh_addr, absl::string_view(static_cast<const char*>(data->d_buf),
                                         data->d_size)});
  }
  auto at = [&](uint64_t address) -> absl::string_view {
    for (const Section& sec : sections) {
      if (address >= sec.addr && address - sec.addr < sec.bytes.size()) {
        return sec.bytes.substr(address - sec.addr);
      }
    }
    return {};
  };
  auto pointer = [&](uint64_t address, uint64_t* value) {
    if (has_relocation.contains(address)) {
      *value = relocated.at(address);
      return true;
    }
    absl::string_view b = at(address);
    if (b.size() < 8) return false;
    *value = 0;
    for (int k = 7; k >= 0; --k) {
      *value = *value << 8 | static_cast<unsigned char>(b[k]);
    }
    return true;
  };
  auto string = [&](uint64_t address, std::string* value) {
    absl::string_view b = at(address);
    size_t end = b.substr(0, 256).find('\0');
    if (end == absl::string_view::npos || end == 0) return false;
    *value = std::string(b.substr(0, end));
    return true;
  };
  for (uint64_t a : addresses) {
    uint64_t modname_at, filename_at;
    std::string modname, filename;
    if (pointer(a, &modname_at) && pointer(a + 16, &filename_at) &&
        string(modname_at, &modname) && string(filename_at, &filename)) {
      out.emplace_back(std::move(modname), std::move(filename));
    }
  }
  return out;
}

absl::StatusOr<std::string> ReleaseAtBanner(const std::string& path,
                                            uint64_t address,
                                            const std::string& root) {
  absl::StatusOr<std::string> banner = ReadElfString(path, address, 512, root);
  if (!banner.ok()) return banner.status();
  return ReleaseFromBanner(*banner);
}

}  // namespace ksym
