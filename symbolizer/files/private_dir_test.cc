#include "symbolizer/files/private_dir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string Tmp(const std::string& name) {
  const char* t = getenv("TEST_TMPDIR");
  return absl::StrCat(t != nullptr ? t : "/tmp", "/", name);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Another user's uid, as the owner the check expects.
constexpr uid_t kSomeoneElse = 12345;

TEST(EnsurePrivateDirectoryTest, CreatesMissingComponents0700) {
  const mode_t old = umask(022);
  const std::string dir = Tmp("home/.cache/ksym");
  absl::Status s = EnsurePrivateDirectory(dir);
  umask(old);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(Tmp("home/.cache")), 0700u);
  EXPECT_TRUE(EnsurePrivateDirectory(dir).ok());  // idempotent
}

TEST(EnsurePrivateDirectoryTest, RefusesAWorldWritableDirectory) {
  const std::string dir = Tmp("shared");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(chmod(dir.c_str(), 01777), 0);  // like /tmp/ksym made by anyone
  absl::Status s = EnsurePrivateDirectory(dir);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "writable by others")) << s;
  // The mode as chmod takes it, not 0x3ff printed as "03ff".
  EXPECT_TRUE(absl::StrContains(s.message(), "(mode 1777)")) << s;
  ASSERT_EQ(chmod(dir.c_str(), 0770), 0);
  s = EnsurePrivateDirectory(dir);
  EXPECT_TRUE(absl::StrContains(s.message(), "writable by its group")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "(mode 0770)")) << s;
}

TEST(EnsurePrivateDirectoryTest, RefusesADirectoryOwnedBySomeoneElse) {
  const std::string dir = Tmp("theirs");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  absl::Status s = EnsurePrivateDirectory(dir, kSomeoneElse);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "not by the current user")) << s;
}

TEST(EnsurePrivateDirectoryTest, RefusesASymlink) {
  const std::string real = Tmp("real");
  const std::string link = Tmp("link");
  ASSERT_EQ(mkdir(real.c_str(), 0700), 0);
  ASSERT_EQ(symlink(real.c_str(), link.c_str()), 0);
  absl::Status s = EnsurePrivateDirectory(link);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "is a symbolic link")) << s;
}

TEST(CheckPrivateFileTest, AcceptsOnlyOurOwnRegularFiles) {
  const std::string dir = Tmp("files");
  ASSERT_TRUE(EnsurePrivateDirectory(dir).ok());
  const std::string f = dir + "/k.ksym";
  EXPECT_EQ(CheckPrivateFile(f).code(), absl::StatusCode::kNotFound);
  std::ofstream(f) << "index";
  ASSERT_EQ(chmod(f.c_str(), 0644), 0);
  EXPECT_TRUE(CheckPrivateFile(f).ok());
  ASSERT_EQ(chmod(f.c_str(), 0666), 0);
  absl::Status s = CheckPrivateFile(f);
  EXPECT_TRUE(absl::StrContains(s.message(), "writable by others")) << s;
  ASSERT_EQ(chmod(f.c_str(), 0600), 0);

  const std::string link = dir + "/planted.ksym";
  ASSERT_EQ(symlink(f.c_str(), link.c_str()), 0);
  s = CheckPrivateFile(link);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "symbolic link")) << s;

  s = CheckPrivateFile(f, kSomeoneElse);
  EXPECT_TRUE(absl::StrContains(
      s.message(), absl::StrCat("owned by uid ", geteuid(),
                                ", not by the current user (uid 12345)")))
      << s;
}

}  // namespace
}  // namespace ksym
