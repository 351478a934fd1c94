#include "symbolizer/sources/elf/vmcore_note.h"

#include <elf.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

void AppendNote(std::string* out, const std::string& name, uint32_t type,
                const std::string& desc) {
  Elf64_Nhdr n;
  n.n_namesz = static_cast<uint32_t>(name.size() + 1);
  n.n_descsz = static_cast<uint32_t>(desc.size());
  n.n_type = type;
  out->append(reinterpret_cast<const char*>(&n), sizeof(n));
  out->append(name);
  out->append((4 - name.size() % 4), '\0');  // the NUL, padded to 4
  out->append(desc);
  out->append((4 - desc.size() % 4) % 4, '\0');
}

// An x86_64 ELF core laid out as the kdump kernel's /proc/vmcore is: the
// ELF header, program headers, a PT_NOTE of per-CPU CORE notes and the
// VMCOREINFO note, then a PT_LOAD of memory.
std::string Core(const std::string& vmcoreinfo, bool with_note = true) {
  std::string notes;
  AppendNote(&notes, "CORE", NT_PRSTATUS, std::string(336, '\x01'));
  AppendNote(&notes, "CORE", NT_PRSTATUS, std::string(336, '\x02'));
  if (with_note) AppendNote(&notes, "VMCOREINFO", 0, vmcoreinfo);
  Elf64_Ehdr e;
  std::memset(&e, 0, sizeof(e));
  std::memcpy(e.e_ident, ELFMAG, SELFMAG);
  e.e_ident[EI_CLASS] = ELFCLASS64;
  e.e_ident[EI_DATA] = ELFDATA2LSB;
  e.e_ident[EI_VERSION] = EV_CURRENT;
  e.e_type = ET_CORE;
  e.e_machine = EM_X86_64;
  e.e_version = EV_CURRENT;
  e.e_phoff = sizeof(e);
  e.e_ehsize = sizeof(e);
  e.e_phentsize = sizeof(Elf64_Phdr);
  e.e_phnum = 2;
  Elf64_Phdr p[2];
  std::memset(p, 0, sizeof(p));
  p[0].p_type = PT_NOTE;
  p[0].p_offset = sizeof(e) + sizeof(p);
  p[0].p_filesz = notes.size();
  p[1].p_type = PT_LOAD;
  p[1].p_offset = p[0].p_offset + notes.size();
  p[1].p_vaddr = 0xffff888000000000;
  p[1].p_filesz = p[1].p_memsz = 4096;
  std::string out(reinterpret_cast<const char*>(&e), sizeof(e));
  out.append(reinterpret_cast<const char*>(p), sizeof(p));
  out += notes;
  out.append(4096, '\0');
  return out;
}

std::string WriteTemp(const std::string& bytes) {
  std::string path = ::testing::TempDir() + "/vmcoreXXXXXX";
  const int fd = mkstemp(path.data());
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()),
            static_cast<ssize_t>(bytes.size()));
  close(fd);
  return path;
}

constexpr char kInfo[] =
    "OSRELEASE=6.1.0-28-cloud-amd64\n"
    "BUILD-ID=5e5ab4c3d1f0a2b3c4d5e6f708192a3b4c5d6e7f\n"
    "SYMBOL(_stext)=ffffffffab400000\n"
    "KERNELOFFSET=2a400000\n";

TEST(VmcoreNoteTest, ReadsTheNoteOfAnElfCore) {
  const std::string path = WriteTemp(Core(kInfo));
  absl::StatusOr<Vmcoreinfo> v = ReadVmcoreinfo(path);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->osrelease, "6.1.0-28-cloud-amd64");
  EXPECT_EQ(v->kernel_offset, 0x2a400000u);
  EXPECT_EQ(v->stext, 0xffffffffab400000u);
}

TEST(VmcoreNoteTest, ReadsTheTextSavedAlone) {
  const std::string path = WriteTemp(kInfo);
  absl::StatusOr<Vmcoreinfo> v = ReadVmcoreinfo(path);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->build_id, "5e5ab4c3d1f0a2b3c4d5e6f708192a3b4c5d6e7f");
}

TEST(VmcoreNoteTest, SaysWhatIsWrong) {
  absl::StatusOr<Vmcoreinfo> v =
      ReadVmcoreinfo(WriteTemp(Core(kInfo, /*with_note=*/false)));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(v.status().message(), "no VMCOREINFO note"))
      << v.status();
  // A damaged note text is the parser's error, naming the note.
  v = ReadVmcoreinfo(WriteTemp(Core("OSRELEASE=6.1\nKERNELOFFSET=zz\n")));
  EXPECT_TRUE(absl::StrContains(v.status().message(),
                                "(VMCOREINFO note):2: expected 1 to 16 hex"))
      << v.status();
  // A core whose note segment runs past the end of the file.
  std::string cut = Core(kInfo);
  cut.resize(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr) + 100);
  v = ReadVmcoreinfo(WriteTemp(cut));
  EXPECT_FALSE(v.ok());
  v = ReadVmcoreinfo(::testing::TempDir() + "/no-such-vmcore");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ksym
