// debuginfod end to end: a real debuginfod server on 127.0.0.1 indexing the
// Debian 6.1 cloud kernel's -dbg vmlinux (tools/fetch-debian-kernel.sh), and
// a fake live root that has only what a machine without the -dbg package
// has: /proc/kallsyms (System.map moved by a synthetic KASLR slide), the
// build-id in /sys/kernel/notes and osrelease. The build must fetch the
// vmlinux by that build-id through libdebuginfod (DEBUGINFOD_URLS, a
// temporary DEBUGINFOD_CACHE_PATH) and index its objects.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debuginfod_server_test
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/debuginfod_server.h"

namespace ksym {
namespace {

using testutil::DebianKernel;
using testutil::DebuginfodServer;

constexpr uint64_t kSlide = 0x1c000000;

std::string TestTmp() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

void MkdirP(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      mkdir(path.substr(0, i).c_str(), 0755);
    }
  }
}

void Write(const std::string& path, const std::string& bytes) {
  MkdirP(path.substr(0, path.rfind('/')));
  std::ofstream(path, std::ios::binary) << bytes;
}

void RemoveTree(const std::string& dir) {
  nftw(
      dir.c_str(),
      [](const char* path, const struct stat*, int, struct FTW*) {
        return remove(path);
      },
      16, FTW_DEPTH | FTW_PHYS);
}

// An ELF note sequence holding one NT_GNU_BUILD_ID, as /sys/kernel/notes.
std::string BuildIdNotes(const std::string& hex) {
  std::string desc;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    desc.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  std::string out;
  auto u32 = [&](uint32_t v) { out.append(reinterpret_cast<char*>(&v), 4); };
  u32(4);
  u32(static_cast<uint32_t>(desc.size()));
  u32(3);  // NT_GNU_BUILD_ID
  out.append("GNU\0", 4);
  out += desc;
  while (out.size() % 4 != 0) out.push_back('\0');
  return out;
}

// A debuginfod client cache of its own per test: a file one test fetched
// must not answer another's query.
std::string Cache(absl::string_view name) {
  return absl::StrCat(TestTmp(), "/cache-", name);
}

class DebuginfodServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<DebianKernel> k = testutil::FindDebianKernel(
        "//symbolizer/builder:debuginfod_server_test");
    ASSERT_TRUE(k.ok()) << k.status().message();
    kernel_ = new DebianKernel(*k);
    absl::StatusOr<std::string> id = ReadElfBuildIdFile(k->vmlinux);
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_FALSE(id->empty());
    build_id_ = new std::string(*id);
    absl::StatusOr<std::string> map = ReadFileToString(k->system_map);
    ASSERT_TRUE(map.ok()) << map.status();
    absl::StatusOr<std::vector<KallsymsEntry>> entries =
        ParseSystemMap(*map, k->system_map);
    ASSERT_TRUE(entries.ok()) << entries.status();
    system_map_ = new std::vector<KallsymsEntry>(*std::move(entries));

    // What a machine without the -dbg package has.
    root_ = new std::string(TestTmp() + "/root");
    std::string kallsyms;
    for (const KallsymsEntry& e : *system_map_) {
      // x86_64 per-CPU symbols are linked at 0 and stay there.
      uint64_t a = e.address < 0x1000000 ? e.address : e.address + kSlide;
      absl::StrAppendFormat(&kallsyms, "%016x %c %s\n", a, e.type, e.name);
    }
    Write(*root_ + "/proc/kallsyms", kallsyms);
    Write(*root_ + "/proc/sys/kernel/osrelease", k->release + "\n");
    Write(*root_ + "/sys/kernel/notes", BuildIdNotes(*id));

    // One server with the -dbg vmlinux, one with nothing.
    const std::string vmlinux_dir =
        k->vmlinux.substr(0, k->vmlinux.rfind('/'));
    const absl::Time start = absl::Now();
    absl::StatusOr<std::unique_ptr<DebuginfodServer>> s =
        DebuginfodServer::Start({vmlinux_dir}, TestTmp());
    ASSERT_TRUE(s.ok()) << s.status();
    std::cout << "debuginfod over " << vmlinux_dir << " scanned in "
              << absl::FormatDuration(absl::Now() - start) << "\n";
    server_ = s->release();
    const std::string empty = TestTmp() + "/empty";
    MkdirP(empty);
    s = DebuginfodServer::Start({empty}, TestTmp());
    ASSERT_TRUE(s.ok()) << s.status();
    empty_server_ = s->release();
  }

  static void TearDownTestSuite() {
    delete server_;
    delete empty_server_;
    server_ = empty_server_ = nullptr;
    delete kernel_;
    delete build_id_;
    delete system_map_;
    delete root_;
    kernel_ = nullptr;
    build_id_ = root_ = nullptr;
    system_map_ = nullptr;
    // The fetched vmlinux is hundreds of MB.
    RemoveTree(Cache("fetch"));
    RemoveTree(Cache("empty"));
  }

  void TearDown() override {
    unsetenv("DEBUGINFOD_URLS");
    unsetenv("DEBUGINFOD_CACHE_PATH");
  }

  // Builds the fake root with DEBUGINFOD_URLS=`url` and the client cache
  // in `cache`; `progress` collects the progress lines that have a size.
  static BuildOutput Build(const std::string& url, const std::string& cache,
                           std::vector<std::string>* progress = nullptr) {
    setenv("DEBUGINFOD_URLS", url.c_str(), 1);
    setenv("DEBUGINFOD_CACHE_PATH", cache.c_str(), 1);
    BuildInputs in;
    in.root = *root_;
    const absl::Time start = absl::Now();
    absl::StatusOr<BuildOutput> out = BuildCatalog(
        in, [&](uint64_t, uint64_t total, absl::string_view what) {
          if (progress != nullptr && total > 0) {
            progress->push_back(std::string(what));
          }
        });
    std::cout << "build with DEBUGINFOD_URLS=" << url << ": "
              << absl::FormatDuration(absl::Now() - start) << "\n";
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *std::move(out) : BuildOutput();
  }

  static const InputSource* Vmlinux(const Catalog& c, SourceState state) {
    for (const InputSource& s : c.sources) {
      if (s.what == "vmlinux" && s.state == state) return &s;
    }
    return nullptr;
  }

  static DebianKernel* kernel_;
  static std::string* build_id_;
  static std::vector<KallsymsEntry>* system_map_;
  static std::string* root_;
  static DebuginfodServer* server_;
  static DebuginfodServer* empty_server_;
};

DebianKernel* DebuginfodServerTest::kernel_ = nullptr;
std::string* DebuginfodServerTest::build_id_ = nullptr;
std::vector<KallsymsEntry>* DebuginfodServerTest::system_map_ = nullptr;
std::string* DebuginfodServerTest::root_ = nullptr;
DebuginfodServer* DebuginfodServerTest::server_ = nullptr;
DebuginfodServer* DebuginfodServerTest::empty_server_ = nullptr;

TEST_F(DebuginfodServerTest, TheVmlinuxIsFetchedByBuildIdAndItsObjectsIndexed) {
  ASSERT_NE(server_, nullptr);
  std::vector<std::string> progress;
  BuildOutput out = Build(server_->url(), Cache("fetch"), &progress);
  const Catalog& c = out.catalog;

  // Reported as found through debuginfod: the cached file and the URL.
  const InputSource* v = Vmlinux(c, SourceState::kFound);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(absl::StartsWith(v->path, Cache("fetch") + "/")) << v->path;
  EXPECT_EQ(v->why, absl::StrCat("via debuginfod ", server_->url(),
                                 "/buildid/", *build_id_, "/debuginfo"));
  EXPECT_EQ(ReadElfBuildIdFile(v->path).value_or(""), *build_id_);
  // A progress line with the download's size.
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(absl::StartsWith(progress.back(),
                               "fetching vmlinux from debuginfod ("))
      << progress.back();

  // The vmlinux joined the kallsyms: the slide, exact sizes, objects from
  // its DWARF, and {obj} where a name repeats.
  EXPECT_EQ(c.identity.build_id, *build_id_);
  EXPECT_TRUE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.kaslr_offset, static_cast<int64_t>(kSlide));
  const AttributionStats& a = out.attribution;
  EXPECT_GT(a.text_with_object, a.text_symbols * 9 / 10);
  EXPECT_GT(out.report.duplicate_names_before, 0u);
  absl::flat_hash_map<std::string, int> text_names;
  for (const Symbol& s : c.symbols) {
    if (IsTextType(s.type)) ++text_names[s.name];
  }
  size_t repeated = 0, annotated = 0;
  for (const Symbol& s : c.symbols) {
    if (!IsTextType(s.type) || text_names[s.name] < 2) continue;
    ++repeated;
    annotated += s.object != kNoObject &&
                 !c.objects[s.object].annotation.empty();
  }
  EXPECT_GT(annotated, repeated / 2) << annotated << " of " << repeated;
  // Every System.map text symbol is at its runtime address with an exact
  // size.
  absl::flat_hash_map<std::string, const Symbol*> by_name_address;
  for (const Symbol& s : c.symbols) {
    by_name_address[absl::StrCat(s.name, "@", s.address)] = &s;
  }
  size_t text = 0, exact = 0;
  for (const KallsymsEntry& e : *system_map_) {
    if (!IsTextType(e.type) || e.address < 0x1000000) continue;
    ++text;
    auto it = by_name_address.find(absl::StrCat(e.name, "@", e.address + kSlide));
    ASSERT_NE(it, by_name_address.end()) << e.name;
    exact += it->second->size_exact;
  }
  EXPECT_GT(exact, text * 9 / 10);

  // The same build again: the cache answers, without a download.
  BuildOutput warm = Build(server_->url(), Cache("fetch"));
  const InputSource* cached = Vmlinux(warm.catalog, SourceState::kFound);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->path, v->path);
  EXPECT_EQ(cached->why,
            absl::StrCat("via debuginfod (from its cache; servers ",
                         server_->url(), ")"));
  EXPECT_EQ(warm.attribution.text_with_object, a.text_with_object);
}

TEST_F(DebuginfodServerTest, AServerWithoutTheVmlinuxLeavesKallsymsAlone) {
  ASSERT_NE(empty_server_, nullptr);
  BuildOutput out = Build(empty_server_->url(), Cache("empty"));
  const Catalog& c = out.catalog;
  EXPECT_EQ(Vmlinux(c, SourceState::kFound), nullptr);
  const InputSource* missing = nullptr;
  for (const InputSource& s : c.sources) {
    if (s.what == "vmlinux" && s.path == empty_server_->url()) missing = &s;
  }
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->state, SourceState::kMissing);
  EXPECT_TRUE(absl::StrContains(missing->why, *build_id_)) << missing->why;
  EXPECT_TRUE(absl::StrContains(missing->why, "no debuginfod server"))
      << missing->why;
  // The build still succeeds, from kallsyms alone.
  EXPECT_EQ(c.identity.build_id, *build_id_);
  EXPECT_FALSE(c.identity.kaslr_offset_known);
  EXPECT_EQ(out.attribution.text_with_object, 0u);
  EXPECT_GT(out.attribution.text_symbols, 0u);
}

}  // namespace
}  // namespace ksym
