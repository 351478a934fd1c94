#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/testing/build_id_note.h"

#include <string>

#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string Note(const std::string& name, const std::string& desc,
                 uint32_t type) {
  auto u32 = [](uint32_t v) { return std::string(reinterpret_cast<char*>(&v), 4); };
  std::string n = name + std::string(1, '\0');
  std::string out = u32(n.size()) + u32(desc.size()) + u32(type) + n;
  while (out.size() % 4) out.push_back('\0');
  out += desc;
  while (out.size() % 4) out.push_back('\0');
  return out;
}

TEST(ParseBuildIdNoteTest, FindsGnuBuildIdAmongOtherNotes) {
  // /sys/kernel/notes also holds Xen and Linux notes before the build-id.
  std::string notes = Note("Xen", std::string("\x01\x02", 2), 5) +
                      Note("GNU", std::string("\xde\xad\xbe\xef\x01", 5), 3);
  absl::StatusOr<std::string> id = ParseBuildIdNote(notes, "notes");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "deadbeef01");
}

TEST(ParseBuildIdNoteTest, ReadsTheNoteFakeRootsWrite) {
  // The tests' fake /sys/kernel/notes must be what this parser reads.
  absl::StatusOr<std::string> id =
      ParseBuildIdNote(testutil::BuildIdNotes("0123456789abcdef01"), "notes");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "0123456789abcdef01");
}

TEST(ParseBuildIdNoteTest, AbsentIsNotFound) {
  absl::StatusOr<std::string> id =
      ParseBuildIdNote(Note("Linux", "x", 3), "notes");
  EXPECT_EQ(id.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(id.status().message(), "notes: no GNU build-id note");
}

TEST(ParseBuildIdNoteTest, TruncatedNoteIsAnError) {
  std::string notes = Note("GNU", std::string(20, '\x11'), 3);
  notes.resize(notes.size() - 4);
  absl::StatusOr<std::string> id = ParseBuildIdNote(notes, "notes");
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(id.status().message(),
            "notes: note at offset 0 (namesz 4, descsz 20) runs past the end "
            "(32 bytes)");
}

TEST(RunningKernelIdentityTest, HasReleaseAndArch) {
  KernelIdentity id = RunningKernelIdentity();
  EXPECT_FALSE(id.release.empty());
  EXPECT_FALSE(id.arch.empty());
  EXPECT_EQ(id.address_space, AddressSpace::kRuntime);
  // Where the notes are readable the build-id is 40 hex digits (SHA-1).
  if (!id.build_id.empty()) {
    EXPECT_EQ(id.build_id.find_first_not_of("0123456789abcdef"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace ksym
