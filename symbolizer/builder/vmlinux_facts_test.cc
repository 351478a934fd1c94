#include "symbolizer/builder/vmlinux_facts.h"

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

}  // namespace
}  // namespace ksym
