#include "symbolizer/builder/vmlinux_facts.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

constexpr char kVmlinux[] = "testdata/synthetic/build/vmlinux";
constexpr char kSystemMap[] = "testdata/synthetic/build/System.map";

TEST(MksysmapKeepsTest, DropsWhatEveryMksysmapVersionDrops) {
  struct Case {
    char type;
    const char* name;
    bool kept;
  } cases[] = {
      {'T', "schedule", true},
      {'t', "init_once", true},
      {'W', "memmove", true},
      {'D', "jiffies", true},
      {'A', "__crc32c_le_base", true},  // global absolute: kept
      {'V', "weak_object", true},
      {'a', "entry_stack_words", false},
      {'N', "debug_symbol", false},
      {'U', "undefined", false},
      {'w', "weak_undefined", false},
      {'t', "$x", false},
      {'t', "$d.12", false},
      {'r', ".LC0", false},
      {'t', ".L__unnamed_1", false},
      {'R', "__crc_memcpy", false},
      {'R', "__kstrtab_memcpy", false},
      {'R', "__kstrtabns_memcpy", false},
      {'t', "__efistub_memcpy", false},
      {'t', "__kcfi_typeid_foo", false},
      {'t', "__kvm_nvhe___kcfi_typeid_foo", false},
      {'t', "__pi___kcfi_typeid_foo", false},
      {'t', "__kvm_nvhe_$x", false},
      {'t', "__kvm_nvhe_.L42", false},
      {'t', "__kvm_nvhe_handle_trap", true},
      {'t', "__pi_$d", false},
      {'t', "__pi_.Ltmp", false},
      {'t', "__pi_memcpy", true},
      {'t', "__AArch64ADRPThunk_foo", false},
      {'t', "__ARMV5PILongThunk_foo", false},
      {'t', "__ARMV7PILongThunk_foo", false},
      {'t', "__ThumbV7PILongThunk_foo", false},
      {'t', "__LA25Thunk_foo", false},
      {'t', "__microLA25Thunk_foo", false},
      {'t', "foo_from_arm", false},
      {'t', "foo_from_thumb", false},
      {'t', "foo_veneer", false},
      {'t', "foo_veneer_bar", true},
      {'t', "L0", false},
      {'t', "L0x", true},
      {'D', "_SDA_BASE_", false},
      {'D', "_SDA2_BASE_", false},
      {'T', "x__crc_", true},  // prefixes only match at the start
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MksysmapKeeps(c.type, c.name), c.kept) << c.type << " " << c.name;
  }
}

TEST(ReleaseFromBannerTest, TakesTheWordAfterLinuxVersion) {
  absl::StatusOr<std::string> r = ReleaseFromBanner(
      "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) "
      "(gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0) #1 SMP PREEMPT_DYNAMIC "
      "Debian 6.1.192-2 (2025-11-08)\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "6.1.0-56-cloud-amd64");
  r = ReleaseFromBanner("Linux version 6.18.0\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "6.18.0");
}

TEST(ReleaseFromBannerTest, RefusesOtherText) {
  absl::StatusOr<std::string> r = ReleaseFromBanner("Linux 6.1\n");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "linux_banner \"Linux 6.1\\n\" does not start with \"Linux "
            "version \"");
  r = ReleaseFromBanner("Linux version  6.1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "linux_banner has no release after \"Linux version \"");
}

uint64_t AddressInSystemMap(absl::string_view name) {
  std::ifstream in(kSystemMap);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    uint64_t address = 0;
    if (f.size() == 3 && f[2] == name && absl::SimpleHexAtoi(f[0], &address)) {
      return address;
    }
  }
  ADD_FAILURE() << name << " not in " << kSystemMap;
  return 0;
}

TEST(ReadElfStringTest, ReadsTheSyntheticBanner) {
  uint64_t banner = AddressInSystemMap("linux_banner");
  absl::StatusOr<std::string> s = ReadElfString(kVmlinux, banner);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, "Linux version 6.1.0-synthetic (ksym@testdata) #1 SMP\n");
  // Bounded by max_length; starting mid-string is fine.
  s = ReadElfString(kVmlinux, banner + 6, 7);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, "version");
}

TEST(ReadElfStringTest, AddressesWithoutFileBytesAreNotFound) {
  // string_buffer is in .bss (SHT_NOBITS); 0x1000 is in no section.
  for (uint64_t address :
       {AddressInSystemMap("string_buffer"), uint64_t{0x1000}}) {
    absl::StatusOr<std::string> s = ReadElfString(kVmlinux, address);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(s.status().message(),
              absl::StrCat(kVmlinux, ": no allocated section holds address 0x",
                           absl::Hex(address)));
  }
}

TEST(ReadElfStringTest, FileErrors) {
  absl::StatusOr<std::string> s = ReadElfString(kSystemMap, 0);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            absl::StrCat(kSystemMap, ": not an ELF file"));
  s = ReadElfString("/nonexistent/vmlinux", 0);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.status().message(),
            "/nonexistent/vmlinux: No such file or directory");
}

// A linked 64-bit little-endian ELF file (ET_DYN, as arm64's vmlinux) with
// strings in .rodata at 0x1000, one dynamic-debug descriptor in .data at
// 0x2000 (modname at +0, filename at +16) and, when `relocated`, its
// pointers 0 in the file and placed by R_AARCH64_RELATIVE relocations in
// .rela.dyn; else the pointers are in place.
std::string DyndbgElf(bool relocated) {
  const std::string rodata("mymod\0drivers/x/a.c\0", 20);
  std::string data(56, '\0');
  auto put64 = [](std::string& b, size_t at, uint64_t v) {
    for (int k = 0; k < 8; ++k) b[at + k] = static_cast<char>(v >> (8 * k));
  };
  std::string rela;
  if (relocated) {
    rela.assign(48, '\0');
    put64(rela, 0, 0x2000);
    put64(rela, 8, R_AARCH64_RELATIVE);
    put64(rela, 16, 0x1000);
    put64(rela, 24, 0x2010);
    put64(rela, 32, R_AARCH64_RELATIVE);
    put64(rela, 40, 0x1006);
  } else {
    put64(data, 0, 0x1000);
    put64(data, 16, 0x1006);
  }
  const std::string shstrtab("\0.rodata\0.data\0.rela.dyn\0.shstrtab\0", 35);
  std::string out(sizeof(Elf64_Ehdr), '\0');
  auto append = [&out](const std::string& b) {
    while (out.size() % 8 != 0) out.push_back('\0');
    const size_t at = out.size();
    out += b;
    return at;
  };
  const size_t rodata_at = append(rodata);
  const size_t data_at = append(data);
  const size_t rela_at = append(rela);
  const size_t shstrtab_at = append(shstrtab);
  while (out.size() % 8 != 0) out.push_back('\0');
  const size_t shoff = out.size();
  Elf64_Shdr sh[5] = {};
  sh[1] = {1, SHT_PROGBITS, SHF_ALLOC, 0x1000, rodata_at, rodata.size(), 0, 0, 1, 0};
  sh[2] = {9, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x2000, data_at, data.size(), 0, 0, 8, 0};
  sh[3] = {15, SHT_RELA, SHF_ALLOC, 0x3000, rela_at, rela.size(), 0, 0, 8,
           sizeof(Elf64_Rela)};
  sh[4] = {25, SHT_STRTAB, 0, 0, shstrtab_at, shstrtab.size(), 0, 0, 1, 0};
  out.append(reinterpret_cast<const char*>(sh), sizeof(sh));
  Elf64_Ehdr eh = {};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_DYN;
  eh.e_machine = EM_AARCH64;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = shoff;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 5;
  eh.e_shstrndx = 4;
  memcpy(&out[0], &eh, sizeof(eh));
  return out;
}

TEST(ReadDyndbgDescriptorsTest, PointersInPlaceOrPlacedByRelativeRelocations) {
  for (bool relocated : {false, true}) {
    const std::string path = absl::StrCat(::testing::TempDir(), "/dyndbg",
                                          relocated ? "_rela" : "", ".elf");
    std::ofstream(path, std::ios::binary) << DyndbgElf(relocated);
    auto d = ReadDyndbgDescriptors(path, {0x2000});
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_EQ(d->size(), 1u) << (relocated ? "relocated" : "in place");
    EXPECT_EQ((*d)[0].first, "mymod");
    EXPECT_EQ((*d)[0].second, "drivers/x/a.c");
  }
}

}  // namespace
}  // namespace ksym
