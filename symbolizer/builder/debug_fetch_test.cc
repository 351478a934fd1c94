#include "symbolizer/builder/debug_fetch.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {
namespace {

const char kVmlinux[] = "testdata/synthetic/build/vmlinux";
constexpr char kServers[] = "http://debuginfod.test:8002";

// Serves whatever the test set, and reports progress once.
class FakeFetcher : public DebugFileFetcher {
 public:
  explicit FakeFetcher(absl::StatusOr<FetchedFile> answer)
      : answer_(std::move(answer)) {}
  std::string Servers() const override { return kServers; }
  absl::StatusOr<FetchedFile> FetchDebugInfo(
      absl::string_view build_id, const FetchProgressFn& progress,
      const FetchLimits&) override {
    asked.push_back(std::string(build_id));
    if (progress) progress(5 << 20, 10 << 20);
    return answer_;
  }
  void Discard(const FetchedFile& file) override { discarded.push_back(file.path); }
  std::vector<std::string> asked;
  std::vector<std::string> discarded;

 private:
  absl::StatusOr<FetchedFile> answer_;
};

std::string VmlinuxBuildId() {
  absl::StatusOr<std::string> id = ReadElfBuildIdFile(kVmlinux);
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : "";
}

TEST(DebugFetchTest, AFileWithTheBuildIdAskedForIsFound) {
  const std::string id = VmlinuxBuildId();
  ASSERT_FALSE(id.empty());
  const std::string url = absl::StrCat(kServers, "/buildid/", id, "/debuginfo");
  FakeFetcher fetcher(FetchedFile{kVmlinux, url});
  std::vector<std::string> lines;
  std::vector<std::pair<uint64_t, uint64_t>> counts;
  CheckedFetch got = FetchDebugFile(
      fetcher, "vmlinux", id,
      [&](uint64_t done, uint64_t total, absl::string_view what) {
        counts.emplace_back(done, total);
        lines.push_back(std::string(what));
      });
  EXPECT_EQ(fetcher.asked, std::vector<std::string>{id});
  EXPECT_EQ(got.path, kVmlinux);
  EXPECT_EQ(got.source.what, "vmlinux");
  EXPECT_EQ(got.source.path, kVmlinux);
  EXPECT_EQ(got.source.state, SourceState::kFound);
  EXPECT_EQ(got.source.why, "via debuginfod " + url);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "fetching vmlinux from debuginfod");
  EXPECT_EQ(lines[1], "fetching vmlinux from debuginfod (5/10 MB)");
  EXPECT_EQ(counts[1], std::make_pair(uint64_t{5} << 20, uint64_t{10} << 20));
}

TEST(DebugFetchTest, ACachedFileSaysSo) {
  FakeFetcher fetcher(FetchedFile{kVmlinux, ""});
  CheckedFetch got = FetchDebugFile(fetcher, "vmlinux", VmlinuxBuildId(), {});
  EXPECT_EQ(got.source.state, SourceState::kFound);
  EXPECT_TRUE(fetcher.discarded.empty());
  EXPECT_EQ(got.source.why,
            absl::StrCat("via debuginfod (from its cache; servers ", kServers,
                         ")"));
}

TEST(DebugFetchTest, AnotherBuildIdIsRejectedNamingBoth) {
  const std::string asked = "00112233445566778899aabbccddeeff00112233";
  FakeFetcher fetcher(FetchedFile{kVmlinux, "http://x/y"});
  CheckedFetch got = FetchDebugFile(fetcher, "vmlinux", asked, {});
  EXPECT_EQ(got.path, "");
  EXPECT_EQ(got.source.state, SourceState::kRejected);
  EXPECT_EQ(got.source.path, kVmlinux);
  EXPECT_TRUE(absl::StrContains(got.source.why, asked)) << got.source.why;
  EXPECT_TRUE(absl::StrContains(got.source.why, VmlinuxBuildId()))
      << got.source.why;
  EXPECT_TRUE(absl::StrContains(got.source.why, "http://x/y"));
  // The cache does not keep what was rejected.
  EXPECT_EQ(fetcher.discarded, std::vector<std::string>{kVmlinux});
  EXPECT_TRUE(absl::StrContains(got.source.why, "removed from the cache"));
}

TEST(DebugFetchTest, AFileThatIsNotElfIsRejected) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/not-elf");
  std::ofstream(path) << "<html>404</html>\n";
  FakeFetcher fetcher(FetchedFile{path, "http://x/y"});
  CheckedFetch got = FetchDebugFile(fetcher, "vmlinux", VmlinuxBuildId(), {});
  EXPECT_EQ(got.path, "");
  EXPECT_EQ(got.source.state, SourceState::kRejected);
  EXPECT_EQ(got.source.path, path);
  EXPECT_EQ(fetcher.discarded, std::vector<std::string>{path});
}

TEST(DebugFetchTest, NoServerHavingItIsMissingWithTheReason) {
  FakeFetcher fetcher(absl::NotFoundError("build-id 01d2 is on no server"));
  CheckedFetch got = FetchDebugFile(fetcher, "vmlinux", "01d2", {});
  EXPECT_EQ(got.path, "");
  EXPECT_EQ(got.source.state, SourceState::kMissing);
  EXPECT_EQ(got.source.path, kServers);
  EXPECT_EQ(got.source.why, "debuginfod: build-id 01d2 is on no server");
}

TEST(DebugFetchTest, TheModuleHookFetchesChecksAndRecordsEachModule) {
  const std::string id = VmlinuxBuildId();
  FakeFetcher fetcher(FetchedFile{kVmlinux, "http://x/buildid/y/debuginfo"});
  std::vector<InputSource> sources;
  auto hook = ModuleDebugFetch(fetcher, {}, &sources);
  absl::StatusOr<std::string> got = hook("virtio_pci", id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, kVmlinux);
  // The file served does not carry this build-id: refused.
  const std::string other(40, 'a');
  absl::StatusOr<std::string> refused = hook("ext4", other);
  EXPECT_TRUE(absl::IsNotFound(refused.status())) << refused.status();
  EXPECT_EQ(fetcher.asked, (std::vector<std::string>{id, other}));
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].what, "module virtio_pci debug");
  EXPECT_EQ(sources[0].state, SourceState::kFound);
  EXPECT_EQ(sources[0].why, "via debuginfod http://x/buildid/y/debuginfo");
  EXPECT_EQ(sources[1].what, "module ext4 debug");
  EXPECT_EQ(sources[1].state, SourceState::kRejected);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), other));
}

}  // namespace
}  // namespace ksym
