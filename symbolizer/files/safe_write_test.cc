#include "symbolizer/files/safe_write.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// A fresh directory per test.
std::string NewDir(const std::string& name) {
  const char* t = getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(t != nullptr ? t : "/tmp", "/", name);
  mkdir(dir.c_str(), 0755);
  return dir;
}

std::string Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

pid_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status;
  waitpid(pid, &status, 0);
  return pid;
}

TEST(WriteFileAtomicallyTest, WritesBytesWithTheRequestedMode) {
  const std::string dir = NewDir("mode");
  const mode_t old = umask(022);
  ASSERT_TRUE(WriteFileAtomically(dir + "/a", "runtime", {.mode = 0600}).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/b", "static").ok());
  umask(old);
  struct stat st;
  ASSERT_EQ(stat((dir + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(stat((dir + "/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(Read(dir + "/a"), "runtime");
  EXPECT_EQ(List(dir), (std::vector<std::string>{"a", "b"}));  // no temp left
}

TEST(WriteFileAtomicallyTest, ReplacesAnExistingFileAndItsMode) {
  const std::string dir = NewDir("replace");
  Write(dir + "/k", "old contents");
  chmod((dir + "/k").c_str(), 0644);
  ASSERT_TRUE(WriteFileAtomically(dir + "/k", "new", {.mode = 0600}).ok());
  EXPECT_EQ(Read(dir + "/k"), "new");
  struct stat st;
  ASSERT_EQ(stat((dir + "/k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

// The attack from the issue: symlinks planted under the temp names the
// writer used to pick (PATH.tmp.PID) pointing at a file to destroy.
TEST(WriteFileAtomicallyTest, DoesNotFollowAPlantedTempSymlink) {
  const std::string dir = NewDir("planted");
  const std::string victim = dir + "/victim";
  Write(victim, "precious");
  const std::string path = dir + "/k.ksym";
  ASSERT_EQ(symlink(victim.c_str(),
                    absl::StrCat(path, ".tmp.", getpid()).c_str()), 0);
  ASSERT_TRUE(WriteFileAtomically(path, "index bytes").ok());
  EXPECT_EQ(Read(victim), "precious");
  EXPECT_EQ(Read(path), "index bytes");
  struct stat st;
  ASSERT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST(WriteFileAtomicallyTest, RefusesToReplaceSpecialFiles) {
  const std::string dir = NewDir("special");
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  absl::Status s = WriteFileAtomically(fifo, "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "fifo: is a FIFO; refusing"))
      << s;
  struct stat st;
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));

  const std::string link = dir + "/link";
  ASSERT_EQ(symlink("/dev/null", link.c_str()), 0);
  s = WriteFileAtomically(link, "x");
  EXPECT_TRUE(absl::StrContains(s.message(), "is a symbolic link")) << s;
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));

  s = WriteFileAtomically(dir, "x");
  EXPECT_TRUE(absl::StrContains(s.message(), "is a directory")) << s;
  EXPECT_EQ(List(dir), (std::vector<std::string>{"fifo", "link"}));
}

TEST(WriteFileAtomicallyTest, RefusesDevNull) {
  absl::Status s = CheckReplaceable("/dev/null");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "character device")) << s;
}

TEST(WriteFileAtomicallyTest, FailsCleanlyInAMissingDirectory) {
  absl::Status s = WriteFileAtomically(NewDir("gone") + "/no/such/k", "x");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), "cannot create")) << s;
}

TEST(WriteFileAtomicallyTest, CreatesMissingParentsWhenAsked) {
  const std::string dir = NewDir("parents");
  const mode_t old = umask(022);
  SafeWriteOptions options;
  options.create_parents = true;
  absl::Status s = WriteFileAtomically(dir + "/a/b/k", "x", options);
  umask(old);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Read(dir + "/a/b/k"), "x");
  struct stat st;
  ASSERT_EQ(stat((dir + "/a/b").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  // A file where a directory must be is an error naming it.
  Write(dir + "/f", "file");
  s = WriteFileAtomically(dir + "/f/k", "x", options);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/f")) << s;
}

TEST(RemoveStaleTempFilesTest, RemovesOnlyDeadProcessesTempsOfThisPath) {
  const std::string dir = NewDir("stale");
  const std::string path = dir + "/k.ksym";
  const pid_t dead = DeadPid();
  const std::string alive = absl::StrCat(getpid());
  Write(absl::StrCat(path, ".tmp.", dead), "old style");
  Write(absl::StrCat(path, ".tmp.", dead, ".1f"), "new style");
  Write(absl::StrCat(path, ".tmp.", alive, ".2a"), "in progress");
  Write(absl::StrCat(dir, "/other.ksym.tmp.", dead), "another target");
  Write(absl::StrCat(path, ".tmp.notapid"), "not ours");
  ASSERT_EQ(symlink("/etc/passwd",
                    absl::StrCat(path, ".tmp.", dead, ".3").c_str()), 0);
  EXPECT_EQ(RemoveStaleTempFiles(path), 2);
  EXPECT_EQ(List(dir),
            (std::vector<std::string>{
                "k.ksym.tmp." + alive + ".2a",
                absl::StrCat("k.ksym.tmp.", dead, ".3"), "k.ksym.tmp.notapid",
                absl::StrCat("other.ksym.tmp.", dead)}));
}

TEST(RemoveStaleTempFilesTest, WriteCleansUpAfterAKilledWriter) {
  const std::string dir = NewDir("killed");
  const std::string path = dir + "/k.ksym";
  Write(absl::StrCat(path, ".tmp.", DeadPid()), "half an index");
  ASSERT_TRUE(WriteFileAtomically(path, "whole").ok());
  EXPECT_EQ(List(dir), (std::vector<std::string>{"k.ksym"}));
}

}  // namespace
}  // namespace ksym
