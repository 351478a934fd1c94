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

namespace ksym {
namespace {

void MkdirP(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
  }
}

void Write(const std::string& path, const std::string& bytes) {
  MkdirP(path.substr(0, path.rfind('/')));
  std::ofstream(path, std::ios::binary) << bytes;
}

// The smallest live system: kallsyms, osrelease, notes.
std::string MakeRoot(const std::string& name, const std::string& osrelease) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  Write(dir + "/proc/kallsyms",
        "ffffffff81000000 T _stext\n"
        "ffffffff81000100 T schedule\n"
        "ffffffff81000200 T _etext\n");
  Write(dir + "/proc/sys/kernel/osrelease", osrelease);
  Write(dir + "/sys/kernel/notes", testutil::BuildIdNotes(std::string(40, 'a')));
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

}  // namespace
}  // namespace ksym
