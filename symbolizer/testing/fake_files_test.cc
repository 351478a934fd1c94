#include "symbolizer/testing/fake_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string ReadBack(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FakeFilesTest, WritesThroughMissingDirectories) {
  const std::string root = std::string(getenv("TEST_TMPDIR")) + "/w";
  WriteTestFile(root + "/proc/sys/kernel/osrelease", "6.1.0\n");
  EXPECT_EQ(ReadBack(root + "/proc/sys/kernel/osrelease"), "6.1.0\n");
}

TEST(FakeFilesTest, ReplacesAnExistingFile) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/r/f";
  WriteTestFile(path, "a longer first version");
  WriteTestFile(path, "short");
  EXPECT_EQ(ReadBack(path), "short");
}

TEST(FakeFilesTest, MakeDirsMakesEveryLevel) {
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/a/b/c";
  MakeDirs(dir);
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

}  // namespace
}  // namespace ksym
