#include "symbolizer/sources/vmcoreinfo.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// The head of an x86_64 kernel's vmcoreinfo, each line in the format
// kernel/vmcore_info.c and arch/x86/kernel/machine_kexec_64.c print it.
constexpr char kX86[] =
    "OSRELEASE=6.1.0-28-cloud-amd64\n"
    "BUILD-ID=5e5ab4c3d1f0a2b3c4d5e6f708192a3b4c5d6e7f\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffffac61a3e0\n"
    "OFFSET(uts_namespace.name)=0\n"
    "SYMBOL(node_online_map)=ffffffffac6ea0e0\n"
    "SYMBOL(swapper_pg_dir)=ffffffffac60a000\n"
    "SYMBOL(_stext)=ffffffffab400000\n"
    "NUMBER(VMALLOC_START)=0xffffb9f640000000\n"
    "LENGTH(mem_section)=2048\n"
    "NUMBER(phys_base)=-1811939328\n"
    "KERNELOFFSET=2a400000\n"
    "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
    "CRASHTIME=1733580000\n";

TEST(VmcoreinfoTest, ReadsWhatPlacesADump) {
  absl::StatusOr<Vmcoreinfo> v = ParseVmcoreinfo(kX86, "vmcore");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->osrelease, "6.1.0-28-cloud-amd64");
  EXPECT_EQ(v->build_id, "5e5ab4c3d1f0a2b3c4d5e6f708192a3b4c5d6e7f");
  EXPECT_EQ(v->kernel_offset, 0x2a400000u);
  EXPECT_EQ(v->stext, 0xffffffffab400000u);
  EXPECT_FALSE(v->kimage_voffset.has_value());
}

TEST(VmcoreinfoTest, Arm64AndTheNotesNulPadding) {
  // arch/arm64/kernel/vmcore_info.c; a note's text ends in NUL padding.
  const std::string text(
      "OSRELEASE=6.1.0-28-cloud-arm64\n"
      "SYMBOL(_stext)=ffffa1c2d8810000\n"
      "NUMBER(VA_BITS)=48\n"
      "NUMBER(kimage_voffset)=0xffffa1c1f8800000\n"
      "NUMBER(PHYS_OFFSET)=0x40000000\n"
      "KERNELOFFSET=21c2d0800000\n" +
      std::string(3, '\0'));
  absl::StatusOr<Vmcoreinfo> v = ParseVmcoreinfo(text, "vmcore");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->build_id, "");  // kernels before 5.9 write none
  EXPECT_EQ(v->kernel_offset, 0x21c2d0800000u);
  EXPECT_EQ(v->kimage_voffset, 0xffffa1c1f8800000u);
}

TEST(VmcoreinfoTest, ErrorsNameTheLineAndWhatWasExpected) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::string head = "OSRELEASE=6.1.0\n";
  const Case cases[] = {
      {head + "KERNELOFFSET=0x2a400000\n", "v:2: expected 1 to 16 hex"},
      {head + "KERNELOFFSET=\n", "v:2: expected 1 to 16 hex"},
      {head + "KERNELOFFSET=12345678901234567\n", "v:2: expected 1 to 16"},
      {head + "NUMBER(kimage_voffset)=ffff\n", "v:2: expected 0x and"},
      {head + "BUILD-ID=5e5a\n", "v:2: expected a build-id of 40 hex"},
      {head + "SYMBOL(_stext)=1\nSYMBOL(_stext)=2\n", "v:3: SYMBOL(_stext) "
                                                       "given twice"},
      {head + "OSRELEASE=6.2\n", "v:2: OSRELEASE given twice"},
      {head + "garbage\n", "v:2: expected KEY=VALUE"},
      {head + "SYMBOL(x)=\x1b]0;t\a\n", "v:2: a control or NUL byte"},
      {"PAGESIZE=4096\n", "v: no OSRELEASE= line"},
      {"OSRELEASE=\n", "v:1: expected a kernel release"},
      {head + std::string(kMaxVmcoreinfoBytes, 'x'), "a kernel's vmcoreinfo "
                                                     "is at most"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Vmcoreinfo> v = ParseVmcoreinfo(c.text, "v");
    ASSERT_FALSE(v.ok()) << c.text.substr(0, 80);
    EXPECT_TRUE(absl::StrContains(v.status().message(), c.error))
        << v.status() << " for " << c.text.substr(0, 80);
  }
}

}  // namespace
}  // namespace ksym
