#include "symbolizer/fleet/read_host_layout.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/testing/build_id_note.h"

namespace ksym {
namespace {

void Write(const std::string& path, const std::string& bytes) {
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
  }
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

std::string Root(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

// A host as the kernel shows it: kallsyms with the per-CPU absolute
// symbols first, a module with its notes and sections (and .init ones).
std::string MakeHost(const std::string& name, const std::string& modules) {
  const std::string root = Root(name);
  Write(root + "/proc/sys/kernel/osrelease", "6.1.0-57-cloud-amd64\n");
  Write(root + "/sys/kernel/notes", testutil::BuildIdNotes("0123456789abcdef"));
  Write(root + "/proc/kallsyms",
        "0000000000000000 A fixed_percpu_data\n"
        "0000000000001000 A cpu_debug_store\n"
        "ffffffff9d000000 T _stext\n"
        "ffffffff9d000000 T _text\n"
        "ffffffff9d001000 T do_one_initcall\n");
  Write(root + "/proc/modules", modules);
  Write(root + "/sys/module/virtio_pci/notes/.note.gnu.build-id",
        testutil::BuildIdNotes("aabbccdd"));
  Write(root + "/sys/module/virtio_pci/sections/.text", "0xffffffffc0381000\n");
  Write(root + "/sys/module/virtio_pci/sections/.data", "0xffffffffc0385000\n");
  Write(root + "/sys/module/virtio_pci/sections/.init.text",
        "0xffffffffc0390000\n");
  return root;
}

TEST(ReadHostLayoutTest, ReadsAFakeHost) {
  const std::string root = MakeHost(
      "host1", "virtio_pci 28672 0 - Live 0xffffffffc0381000\n"
               "fat 86016 0 - Live 0xffffffffc0400000\n");
  absl::StatusOr<HostLayout> l = ReadHostLayout(root);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->release, "6.1.0-57-cloud-amd64");
  EXPECT_EQ(l->build_id, "0123456789abcdef");
  EXPECT_TRUE(l->text_known);
  EXPECT_EQ(l->text_address, 0xffffffff9d000000u);
  ASSERT_EQ(l->modules.size(), 2u);
  EXPECT_EQ(l->modules[0].name, "virtio_pci");
  EXPECT_EQ(l->modules[0].build_id, "aabbccdd");
  ASSERT_EQ(l->modules[0].sections.size(), 2u);  // .init.text left out
  EXPECT_EQ(l->modules[0].sections[0].name, ".data");
  EXPECT_EQ(l->modules[0].sections[1].address, 0xffffffffc0381000u);
  // fat's notes and sections are not readable: unknown, not an error.
  EXPECT_EQ(l->modules[1].build_id, "");
  EXPECT_TRUE(l->modules[1].sections.empty());
  // The record round-trips.
  absl::StatusOr<HostLayout> back =
      ParseHostLayout(FormatHostLayout(*l), "again");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(FormatHostLayout(*back), FormatHostLayout(*l));
}

TEST(ReadHostLayoutTest, ModuleNameIsNeverAPath) {
  const std::string root =
      MakeHost("host2", "../../etc 28672 0 - Live 0xffffffffc0381000\n");
  absl::StatusOr<HostLayout> l = ReadHostLayout(root);
  ASSERT_FALSE(l.ok());
  EXPECT_TRUE(absl::StrContains(l.status().message(),
                                "module name \"../../etc\" holds \".\": not a module name"))
      << l.status();
}

// _text after more per-CPU lines than the first chunks read, a line cut at
// every chunk boundary: found as in one whole read.
TEST(ReadHostLayoutTest, TextAfterALongHead) {
  const std::string root =
      MakeHost("host3", "virtio_pci 28672 0 - Live 0xffffffffc0381000\n");
  std::string kallsyms;
  for (int i = 0; i < 3000; ++i) {
    kallsyms += absl::StrCat(absl::Hex(i * 8, absl::kZeroPad16),
                             " A percpu_", i, "\n");
  }
  kallsyms += "ffffffff9d000000 T _stext\nffffffff9e000000 T _text\n";
  for (int i = 0; i < 1000; ++i) kallsyms += "ffffffff9d001000 T x\n";
  Write(root + "/proc/kallsyms", kallsyms);
  absl::StatusOr<HostLayout> l = ReadHostLayout(root);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_TRUE(l->text_known);
  EXPECT_EQ(l->text_address, 0xffffffff9e000000u);
  EXPECT_EQ(*FindTextAddress(kallsyms), 0xffffffff9e000000u);
}

// Symlinks in the root resolve in the root, never to this machine's files.
TEST(ReadHostLayoutTest, ReadsStayInTheRoot) {
  const std::string root =
      MakeHost("host4", "virtio_pci 28672 0 - Live 0xffffffffc0381000\n");
  const std::string outside = Root("outside-section");
  Write(outside, "0xffffffffc0999000\n");
  const std::string sec = root + "/sys/module/virtio_pci/sections/.bss";
  ASSERT_EQ(symlink(outside.c_str(), sec.c_str()), 0);
  // An absolute link names the root's own file: itself, a loop.
  const std::string rel = root + "/proc/sys/kernel/osrelease";
  ASSERT_EQ(unlink(rel.c_str()), 0);
  ASSERT_EQ(symlink("/proc/sys/kernel/osrelease", rel.c_str()), 0);
  absl::StatusOr<HostLayout> l = ReadHostLayout(root);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->release, "");  // not this machine's
  ASSERT_EQ(l->modules.size(), 1u);
  for (const LayoutSection& s : l->modules[0].sections) {
    EXPECT_NE(s.name, ".bss");
    EXPECT_NE(s.address, 0xffffffffc0999000u);
  }
  EXPECT_EQ(l->modules[0].sections.size(), 2u);
}

TEST(ReadHostLayoutTest, MissingRoot) {
  EXPECT_TRUE(absl::IsNotFound(ReadHostLayout(Root("nothing-here")).status()));
}

TEST(ReadHostLayoutTest, TextAddress) {
  EXPECT_EQ(*FindTextAddress("ffffffff81000000 T _stext\n"
                             "ffffffff81000000 T _text\n"),
            0xffffffff81000000u);
  EXPECT_EQ(*FindTextAddress("ffffffff81000000 T _stext\n"),
            0xffffffff81000000u);
  // kptr_restrict: zeros are no address.
  EXPECT_FALSE(FindTextAddress("0000000000000000 T _text\n").ok());
  // A cut last line does not count.
  EXPECT_FALSE(FindTextAddress("ffffffff81000000 T _te").ok());
}

}  // namespace
}  // namespace ksym
