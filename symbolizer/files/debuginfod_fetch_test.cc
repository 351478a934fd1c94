// libdebuginfod without a server: its file:// URLs serve DIR/buildid/ID/
// debuginfo like a server would, and a closed port refuses. The real
// server is exercised by //symbolizer/builder:debuginfod_server_test.
#include "symbolizer/files/debuginfod_fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

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
      }, {});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(absl::StartsWith(got->path, cache_ + "/")) << got->path;
  EXPECT_EQ(Read(got->path), bytes);
  EXPECT_EQ(got->url, absl::StrCat("file://", dir, "/debuginfo"));
  EXPECT_GT(calls, 0);

  // Now the cache answers, with no download (and so no URL).
  calls = 0;
  absl::StatusOr<FetchedFile> again = f->FetchDebugInfo(
      kBuildId, [&](uint64_t, uint64_t) { ++calls; }, {});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->path, got->path);
  EXPECT_EQ(again->url, "");
  EXPECT_EQ(calls, 0);
}

TEST_F(DebuginfodFetchTest, ABuildIdNoServerHasIsNotFound) {
  std::unique_ptr<DebugFileFetcher> f =
      Fetcher("file://" + TempDir("empty"));
  ASSERT_NE(f, nullptr);
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {}, {});
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
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {}, {});
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
    absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(bad, {}, {});
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// An HTTP server that answers every request with 200 and then zeros for
// as long as the client reads: endless without Content-Length, endless
// after announcing a huge Content-Length, or one byte every 100 ms.
class HostileServer {
 public:
  enum Mode { kEndless, kAnnouncedHuge, kTrickle };
  explicit HostileServer(Mode mode) : mode_(mode) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 4);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  uint64_t sent() const { return sent_; }

 private:
  void Serve() {
    while (!stop_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char request[4096];
      if (recv(c, request, sizeof(request), 0) <= 0) {
        close(c);
        continue;
      }
      std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n";
      if (mode_ == kAnnouncedHuge) head += "Content-Length: 100000000000\r\n";
      head += "Connection: close\r\n\r\n";
      send(c, head.data(), head.size(), MSG_NOSIGNAL);
      const std::string chunk(mode_ == kTrickle ? 1 : 65536, '\0');
      while (!stop_) {
        const ssize_t n = send(c, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n <= 0) break;  // the client went away
        sent_ += static_cast<uint64_t>(n);
        if (mode_ == kTrickle) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      close(c);
    }
  }

  Mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0};
  std::thread thread_;
};

// Regular files left under the cache.
int FilesUnder(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) n += FilesUnder(path);
    if (S_ISREG(st.st_mode) && name.find("debuginfo") != std::string::npos) ++n;
  }
  closedir(d);
  return n;
}

TEST_F(DebuginfodFetchTest, AnEndlessDownloadStopsAtTheByteBoundAndLeavesNothing) {
  for (HostileServer::Mode mode :
       {HostileServer::kEndless, HostileServer::kAnnouncedHuge}) {
    HostileServer server(mode);
    std::unique_ptr<DebugFileFetcher> f = Fetcher(server.url());
    ASSERT_NE(f, nullptr);
    FetchLimits limits;
    limits.max_bytes = 1 << 20;
    absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {}, limits);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted)
        << got.status();
    EXPECT_TRUE(absl::StrContains(got.status().message(), "download stopped"))
        << got.status();
    EXPECT_TRUE(absl::StrContains(got.status().message(),
                                  mode == HostileServer::kAnnouncedHuge
                                      ? "the server announced 100000000000 bytes"
                                      : "at most 1048576 are taken"))
        << got.status();
    EXPECT_EQ(FilesUnder(cache_), 0);
  }
}

TEST_F(DebuginfodFetchTest, ATrickleStopsAtTheTimeBound) {
  HostileServer server(HostileServer::kTrickle);
  std::unique_ptr<DebugFileFetcher> f = Fetcher(server.url());
  ASSERT_NE(f, nullptr);
  FetchLimits limits;
  limits.max_time = absl::Seconds(2);
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {}, limits);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted)
      << got.status();
  EXPECT_TRUE(absl::StrContains(got.status().message(),
                                "still downloading after 2s"))
      << got.status();
  EXPECT_GT(server.sent(), 0u);
  EXPECT_EQ(FilesUnder(cache_), 0);
}

TEST_F(DebuginfodFetchTest, ADiscardedFileLeavesTheCache) {
  const std::string served = TempDir("served-discard");
  const std::string dir = absl::StrCat(served, "/buildid/", kBuildId);
  mkdir((served + "/buildid").c_str(), 0755);
  mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/debuginfo", std::ios::binary) << "not an ELF file";
  std::unique_ptr<DebugFileFetcher> f = Fetcher("file://" + served);
  ASSERT_NE(f, nullptr);
  absl::StatusOr<FetchedFile> got = f->FetchDebugInfo(kBuildId, {}, {});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(FilesUnder(cache_), 1);
  f->Discard(*got);
  EXPECT_EQ(FilesUnder(cache_), 0);
  struct stat st;
  EXPECT_EQ(stat(dir.c_str(), &st), 0);  // the server's copy stays
}

}  // namespace
}  // namespace ksym
