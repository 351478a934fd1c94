// A --root is a tree someone else made (a container image, a copied-in
// saved system): its files must not choose where ksym writes or reads.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/testing/build_id_note.h"
#include "symbolizer/testing/fake_files.h"

namespace ksym {
namespace {

// The smallest live system: kallsyms, osrelease, notes.
std::string MakeRoot(const std::string& name, const std::string& osrelease) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  WriteTestFile(dir + "/proc/kallsyms",
        "ffffffff81000000 T _stext\n"
        "ffffffff81000100 T schedule\n"
        "ffffffff81000200 T _etext\n");
  WriteTestFile(dir + "/proc/sys/kernel/osrelease", osrelease);
  WriteTestFile(dir + "/sys/kernel/notes", testutil::BuildIdNotes(std::string(40, 'a')));
  return dir;
}

const InputSource* Find(const Catalog& c, absl::string_view what) {
  for (const InputSource& s : c.sources) {
    if (s.what == what) return &s;
  }
  return nullptr;
}

// `echo ../../../../tmp/x/y > R/proc/sys/kernel/osrelease` used to choose
// the cache file name (and the lib/modules/R directory looked in).
TEST(UntrustedRootTest, AnOsreleaseThatIsAPathIsRejected) {
  for (const char* bad : {"../../../../tmp/x/y\n", "6.1.0\n6.2.0\n",
                          "6.1\x1b]0;pwned\a\n"}) {
    const std::string root = MakeRoot("bad-release", bad);
    BuildInputs in;
    in.root = root;
    absl::StatusOr<BuildOutput> out = BuildCatalog(in);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->catalog.identity.release, "");
    const InputSource* release = Find(out->catalog, "release");
    ASSERT_NE(release, nullptr);
    EXPECT_EQ(release->state, SourceState::kRejected);
    EXPECT_NE(release->why.find("not a kernel release"), std::string::npos)
        << release->why;
    EXPECT_EQ(release->why.find('\n'), std::string::npos) << release->why;
    // No lib/modules/../../ path was looked at.
    for (const InputSource& s : out->catalog.sources) {
      EXPECT_EQ(s.path.find(".."), std::string::npos) << s.path;
    }
  }
}

TEST(UntrustedRootTest, AGivenReleaseThatIsAPathIsAnError) {
  const std::string root = MakeRoot("bad-given-release", "6.1.0\n");
  BuildInputs in;
  in.root = root;
  in.release = "../x";
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(absl::IsInvalidArgument(out.status())) << out.status();
}

// ROOT/proc/kallsyms -> /proc/kallsyms indexed the host's symbols under
// the root's identity. Inside the root that link points at itself.
TEST(UntrustedRootTest, AnAbsoluteSymlinkIsFollowedInsideTheRoot) {
  const std::string root = MakeRoot("abs-link", "6.12.0\n");
  const std::string kallsyms = root + "/proc/kallsyms";
  ASSERT_EQ(unlink(kallsyms.c_str()), 0);
  ASSERT_EQ(symlink("/proc/kallsyms", kallsyms.c_str()), 0);
  BuildInputs in;
  in.root = root;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_FALSE(out.ok()) << out->catalog.symbols.size()
                         << " symbols indexed from the host";

  // A link to another file of the root is followed there.
  WriteTestFile(root + "/saved/kallsyms",
        "ffffffff81000000 T _stext\nffffffff81000100 T saved_fn\n"
        "ffffffff81000200 T _etext\n");
  ASSERT_EQ(unlink(kallsyms.c_str()), 0);
  ASSERT_EQ(symlink("/saved/kallsyms", kallsyms.c_str()), 0);
  out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  bool saved = false;
  for (const Symbol& s : out->catalog.symbols) saved |= s.name == "saved_fn";
  EXPECT_TRUE(saved);
  EXPECT_EQ(Find(out->catalog, "kallsyms")->path, root + "/saved/kallsyms");
}

// Module names from proc/modules and kallsyms [mod] named paths:
// ROOT/sys/module/../../outside/sections/.text was read.
TEST(UntrustedRootTest, ModuleNamesThatAreNotNamesAreRefused) {
  const std::string root = MakeRoot("bad-module/r", "6.12.0\n");
  const std::string outside =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/bad-module/outside");
  WriteTestFile(outside + "/sections/.text", "0xffffffffc0001000\n");
  WriteTestFile(root + "/proc/kallsyms",
        "ffffffff81000000 T _stext\n"
        "ffffffff81000200 T _etext\n"
        "ffffffffc0001000 t evil_fn\t[../../outside]\n");
  WriteTestFile(root + "/proc/modules",
        "../../outside 4096 0 - Live 0xffffffffc0001000\n");
  BuildInputs in;
  in.root = root;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  bool refused = false;
  for (const std::string& w : out->warnings) {
    refused |= w.find("not a module name") != std::string::npos;
  }
  EXPECT_TRUE(refused);
  // Its kallsyms line is still indexed, from kallsyms alone.
  bool kept = false;
  for (const Symbol& s : out->catalog.symbols) kept |= s.name == "evil_fn";
  EXPECT_TRUE(kept);
}

// A FIFO where the root should have a small file hung the build forever
// (the test's timeout is the check).
TEST(UntrustedRootTest, AFifoIsNotReadAndDoesNotHang) {
  const std::string root = MakeRoot("fifo", "6.12.0\n");
  WriteTestFile(root + "/proc/kallsyms",
        "ffffffff81000000 T _stext\n"
        "ffffffff81000200 T _etext\n"
        "ffffffffc0001000 t mod_fn\t[m]\n");
  MakeDirs(root + "/sys/module/m/sections");
  MakeDirs(root + "/sys/module/m/notes");
  for (const char* f : {"/proc/modules", "/proc/sys/kernel/osrelease",
                        "/sys/kernel/notes", "/sys/module/m/sections/.text",
                        "/sys/module/m/notes/.note.gnu.build-id"}) {
    const std::string path = root + f;
    unlink(path.c_str());
    ASSERT_EQ(mkfifo(path.c_str(), 0644), 0) << path;
  }
  BuildInputs in;
  in.root = root;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->catalog.identity.release, "");
  EXPECT_EQ(out->catalog.identity.build_id, "");
  EXPECT_NE(Find(out->catalog, "release")->state, SourceState::kFound);
}

}  // namespace
}  // namespace ksym
