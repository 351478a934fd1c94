// libdebuginfod without a server: its file:// URLs serve DIR/buildid/ID/
// debuginfo like a server would, and a closed port refuses. The real
// server is exercised by //symbolizer/builder:debuginfod_server_test.
#include "symbolizer/files/debuginfod_fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

constexpr char kBuildId[] = "01d2640d3a13145ee314eb05b155f141b7b7058b";

std::string TempDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  mkdir(dir.c_str(), 0755);
  return dir;
}

std::string Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// DEBUGINFOD_URLS and a fresh cache for one test.
class DebuginfodFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    cache_ = TempDir(absl::StrCat("cache-", name));
    setenv("DEBUGINFOD_CACHE_PATH", cache_.c_str(), 1);
    setenv("DEBUGINFOD_RETRY_LIMIT", "0", 1);
  }
  void TearDown() override {
    unsetenv("DEBUGINFOD_URLS");
    unsetenv("DEBUGINFOD_CACHE_PATH");
    unsetenv("DEBUGINFOD_RETRY_LIMIT");
  }
  std::unique_ptr<DebugFileFetcher> Fetcher(const std::string& urls) {
    setenv("DEBUGINFOD_URLS", urls.c_str(), 1);
    absl::StatusOr<std::unique_ptr<DebugFileFetcher>> f =
        DebuginfodFromEnvironment();
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *std::move(f) : nullptr;
  }
  std::string cache_;
};

TEST_F(DebuginfodFetchTest, NoServersNoFetcher) {
  unsetenv("DEBUGINFOD_URLS");
  absl::StatusOr<std::unique_ptr<DebugFileFetcher>> f =
      DebuginfodFromEnvironment();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, nullptr);
  setenv("DEBUGINFOD_URLS", "  ", 1);
  f = DebuginfodFromEnvironment();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, nullptr);
}

TEST_F(DebuginfodFetchTest, FetchesByBuildIdThenAnswersFromTheCache) {
  const std::string served = TempDir("served");
  const std::string dir = absl::StrCat(served, "/buildid/", kBuildId);
  mkdir((served + "/buildid").c_str(), 0755);
  mkdir(dir.c_str(), 0755);
  const std::string bytes(300000, 'x');
  std::ofstream(dir + "/debuginfo", std::ios::binary) << bytes;

  std::unique_ptr<DebugFileFetcher> f = Fetcher("file://" + served);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->Servers(), "file://" + served);
  int calls = 0;
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(
      kBuildId, [&](uint64_t done, uint64_t total) {
        ++calls;
        if (total > 0) EXPECT_LE(done, total);
      });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(absl::StartsWith(got->path, cache_ + "/")) << got->path;
  EXPECT_EQ(Read(got->path), bytes);
  EXPECT_EQ(got->url, absl::StrCat("file://", dir, "/debuginfo"));
  EXPECT_GT(calls, 0);

  // Now the cache answers, with no download (and so no URL).
  calls = 0;
  absl::StatusOr<FetchedFile> again = f->FetchDebugInfo(
      kBuildId, [&](uint64_t, uint64_t) { ++calls; });
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->path, got->path);
  EXPECT_EQ(again->url, "");
  EXPECT_EQ(calls, 0);
}

TEST_F(DebuginfodFetchTest, ABuildIdNoServerHasIsNotFound) {
  std::unique_ptr<DebugFileFetcher> f =
      Fetcher("file://" + TempDir("empty"));
  ASSERT_NE(f, nullptr);
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound) << got.status();
  EXPECT_TRUE(absl::StrContains(got.status().message(), kBuildId));
  EXPECT_TRUE(absl::StrContains(got.status().message(), "file://"));
}

// A port nobody listens on: bound, never listened to, closed.
int ClosedPort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

TEST_F(DebuginfodFetchTest, ARefusedConnectionIsUnavailable) {
  const std::string url = absl::StrCat("http://127.0.0.1:", ClosedPort());
  std::unique_ptr<DebugFileFetcher> f = Fetcher(url);
  ASSERT_NE(f, nullptr);
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable)
      << got.status();
  EXPECT_TRUE(absl::StrContains(got.status().message(), url));
  EXPECT_TRUE(absl::StrContains(got.status().message(), kBuildId));
}

TEST_F(DebuginfodFetchTest, ABuildIdThatIsNotHexIsRefusedBeforeAnyQuery) {
  std::unique_ptr<DebugFileFetcher> f = Fetcher("file:///nonexistent");
  ASSERT_NE(f, nullptr);
  for (const char* bad : {"", "abc", "01D2", "../../etc/passwd"}) {
    absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(bad, {});
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace ksym
