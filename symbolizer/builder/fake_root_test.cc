// Discovery under --root: a fake live system made by the test from the
// synthetic kernel of testdata/synthetic, laid out as Debian installs it
// (proc/kallsyms with a synthetic KASLR slide, proc/sys/kernel/osrelease,
// sys/kernel/notes, the -dbg vmlinux and System.map under usr/lib/debug,
// the image package's placeholder System.map in boot, lib/modules/R).
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/files/debuginfod_fetch.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/testing/build_id_note.h"
#include "symbolizer/testing/fake_files.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

constexpr uint64_t kSlide = 0x1c000000;
constexpr char kRelease[] = "6.1.0-synthetic";
const char kVmlinux[] = "testdata/synthetic/build/vmlinux";
const char kSystemMap[] = "testdata/synthetic/build/System.map";
const char kModules[] = "testdata/synthetic/modules/6.1.0-synthetic";

std::string Absolute(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) != nullptr ? buf : path;
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::vector<KallsymsEntry> SystemMap() {
  absl::StatusOr<std::vector<KallsymsEntry>> e =
      ParseSystemMap(Read(kSystemMap), kSystemMap);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *e : std::vector<KallsymsEntry>();
}

std::string VmlinuxBuildId() {
  absl::StatusOr<std::string> id = ReadElfBuildIdFile(kVmlinux);
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : "";
}

struct FakeRoot {
  std::string dir;
  // Which parts to lay out.
  bool vmlinux = true;
  bool debug_system_map = true;
  std::string notes_build_id;  // default: the vmlinux's
};

// Lays out `root` and returns its directory.
std::string Make(const FakeRoot& root) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", root.dir);
  std::string kallsyms;
  for (const KallsymsEntry& e : SystemMap()) {
    // x86_64 per-CPU symbols are linked at 0 and stay there.
    uint64_t a = e.address < 0x1000000 ? e.address : e.address + kSlide;
    absl::StrAppendFormat(&kallsyms, "%016x %c %s\n", a, e.type, e.name);
  }
  kallsyms += "ffffffffc0001000 t mod_helper\t[testmod]\n";
  kallsyms += "ffffffffc0001040 T mod_init\t[testmod]\n";
  WriteTestFile(dir + "/proc/kallsyms", kallsyms);
  WriteTestFile(dir + "/proc/sys/kernel/osrelease", absl::StrCat(kRelease, "\n"));
  WriteTestFile(dir + "/sys/kernel/notes",
        testutil::BuildIdNotes(root.notes_build_id.empty() ? VmlinuxBuildId()
                                                 : root.notes_build_id));
  WriteTestFile(absl::StrCat(dir, "/boot/System.map-", kRelease),
        "ffffffffffffffff B The real System.map is in the linux-image-"
        "<version>-dbg package\n");
  // A compressed image is no ELF file.
  WriteTestFile(absl::StrCat(dir, "/boot/vmlinux-", kRelease), "MZ\x1f\x8b not ELF");
  if (root.debug_system_map) {
    WriteTestFile(absl::StrCat(dir, "/usr/lib/debug/boot/System.map-", kRelease),
          Read(kSystemMap));
  }
  if (root.vmlinux) {
    // A copy: an absolute symlink would be followed inside the root.
    WriteTestFile(absl::StrCat(dir, "/usr/lib/debug/boot/vmlinux-", kRelease),
          Read(kVmlinux));
  }
  for (const char* f : {"modules.builtin", "modules.builtin.modinfo",
                        "modules.builtin.objs"}) {
    WriteTestFile(absl::StrCat(dir, "/lib/modules/", kRelease, "/", f),
          Read(absl::StrCat(kModules, "/", f)));
  }
  return dir;
}

const InputSource* Find(const Catalog& c, absl::string_view what,
                        SourceState state) {
  for (const InputSource& s : c.sources) {
    if (s.what == what && s.state == state) return &s;
  }
  return nullptr;
}

BuildOutput Build(const std::string& root) {
  BuildInputs in;
  in.root = root;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : BuildOutput();
}

TEST(FakeRootTest, EverythingIsFoundAndJoinedAtRuntimeAddresses) {
  std::string root = Make({"full"});
  BuildOutput out = Build(root);
  const Catalog& c = out.catalog;
  EXPECT_EQ(c.identity.release, kRelease);
  EXPECT_EQ(c.identity.build_id, VmlinuxBuildId());
  EXPECT_EQ(c.identity.address_space, AddressSpace::kRuntime);
  EXPECT_TRUE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.kaslr_offset, static_cast<int64_t>(kSlide));

  const InputSource* vmlinux = Find(c, "vmlinux", SourceState::kFound);
  ASSERT_NE(vmlinux, nullptr);
  EXPECT_EQ(vmlinux->path,
            absl::StrCat(root, "/usr/lib/debug/boot/vmlinux-", kRelease));
  const InputSource* placeholder =
      Find(c, "System.map", SourceState::kRejected);
  ASSERT_NE(placeholder, nullptr);
  EXPECT_EQ(placeholder->path,
            absl::StrCat(root, "/boot/System.map-", kRelease));
  EXPECT_NE(Find(c, "System.map", SourceState::kFound), nullptr);
  EXPECT_NE(Find(c, "modules.builtin.objs", SourceState::kFound), nullptr);
  EXPECT_NE(Find(c, "build-id", SourceState::kFound), nullptr);

  // Every System.map text symbol at its runtime address, with objects
  // from the vmlinux DWARF; the module's symbols with [testmod].
  size_t text = 0, with_object = 0;
  for (const KallsymsEntry& e : SystemMap()) {
    if (!IsTextType(e.type)) continue;
    ++text;
    bool found = false;
    for (const Symbol& s : c.symbols) {
      if (s.name == e.name && s.address == e.address + kSlide) {
        found = true;
        with_object += s.object != kNoObject;
        break;
      }
    }
    EXPECT_TRUE(found) << e.name;
  }
  EXPECT_GT(with_object, text / 2);
  size_t module_symbols = 0;
  for (const Symbol& s : c.symbols) {
    if (s.name != "mod_helper" && s.name != "mod_init") continue;
    ++module_symbols;
    EXPECT_EQ(c.module_sets[s.module_set],
              std::vector<std::string>{"testmod"});
  }
  EXPECT_EQ(module_symbols, 2u);
}

TEST(FakeRootTest, AVmlinuxOfAnotherBuildIsRejectedNamingBothIds) {
  const std::string other(40, 'e');
  std::string root = Make({"other-build", true, true, other});
  BuildOutput out = Build(root);
  const Catalog& c = out.catalog;
  EXPECT_EQ(Find(c, "vmlinux", SourceState::kFound), nullptr);
  const InputSource* rejected = nullptr;
  for (const InputSource& s : c.sources) {
    if (s.what == "vmlinux" && s.state == SourceState::kRejected &&
        s.path.find("usr/lib/debug") != std::string::npos) {
      rejected = &s;
    }
  }
  ASSERT_NE(rejected, nullptr);
  EXPECT_NE(rejected->why.find(VmlinuxBuildId()), std::string::npos)
      << rejected->why;
  EXPECT_NE(rejected->why.find(other), std::string::npos) << rejected->why;
  // boot/vmlinux-R is a compressed image: rejected as not ELF.
  bool image_rejected = false;
  for (const InputSource& s : c.sources) {
    image_rejected |= s.what == "vmlinux" &&
                      s.state == SourceState::kRejected &&
                      s.path.find("/boot/vmlinux-") != std::string::npos;
  }
  EXPECT_TRUE(image_rejected);
  // System.map still gives the slide; the identity is the running kernel's.
  EXPECT_TRUE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.kaslr_offset, static_cast<int64_t>(kSlide));
  EXPECT_EQ(c.identity.build_id, other);
}

TEST(FakeRootTest, KallsymsAloneHasAnUnknownKaslrOffsetThatTheIndexKeeps) {
  std::string root = Make({"kallsyms-only", false, false});
  BuildOutput out = Build(root);
  const Catalog& c = out.catalog;
  EXPECT_FALSE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.release, kRelease);
  EXPECT_EQ(c.identity.build_id, VmlinuxBuildId());
  const InputSource* missing = Find(c, "vmlinux", SourceState::kRejected);
  ASSERT_NE(missing, nullptr);  // only the compressed image was there
  const std::unique_ptr<Symbolizer> read_back = testutil::SymbolizerOfBuilt(c);
  const IndexReader& r = read_back->index();
  EXPECT_FALSE(r.kaslr_offset_known());
  ASSERT_EQ(r.sources().size(), c.sources.size());
  for (size_t i = 0; i < c.sources.size(); ++i) {
    EXPECT_EQ(r.sources()[i].what, c.sources[i].what);
    EXPECT_EQ(r.sources()[i].path, c.sources[i].path);
    EXPECT_EQ(r.sources()[i].why, c.sources[i].why);
    EXPECT_EQ(r.sources()[i].state, c.sources[i].state);
  }
}

// The same build after a reboot that moved KASLR: an index of the old
// layout must never rename a frame of the new one silently.
TEST(FakeRootTest, AStaleIndexMarksFramesAndNeverRenames) {
  std::string root = Make({"stale"});
  BuildOutput out = Build(root);
  const std::unique_ptr<Symbolizer> read_back =
      testutil::SymbolizerOfBuilt(out.catalog);
  const Symbolizer& symbolizer = *read_back;
  Rewriter rewriter(symbolizer);
  // The new boot's slide differs by 0x200: frames of one symbol land in
  // another.
  constexpr uint64_t kNewSlide = kSlide + 0x200;
  size_t lines = 0, marked = 0;
  for (const KallsymsEntry& e : SystemMap()) {
    if (!IsTextType(e.type)) continue;
    const std::string line = absl::StrFormat(" [<%016x>] %s+0x4/0x10",
                                             e.address + kNewSlide + 4, e.name);
    const std::string got = rewriter.RewriteLine(line);
    ++lines;
    // The printed frame is always kept as printed.
    EXPECT_EQ(got.substr(0, line.size()), line) << got;
    if (got.find(" (mismatch, index: ") != std::string::npos) ++marked;
  }
  EXPECT_GT(marked, lines / 2);
  EXPECT_EQ(rewriter.stats().mismatched, marked);
  EXPECT_TRUE(IndexMismatchLikely(rewriter.stats()));
}

// Without a vmlinux, a System.map of another kernel is refused (saying
// why) and the build goes on from kallsyms alone, not failing.
TEST(FakeRootTest, AMismatchingSystemMapIsRejected) {
  std::string root = Make({"wrong-map", false, true});
  std::vector<KallsymsEntry> map = SystemMap();
  std::string scrambled;
  for (size_t i = 0; i < map.size(); ++i) {
    // Every symbol at another symbol's address: no common slide.
    absl::StrAppendFormat(&scrambled, "%016x %c %s\n",
                          map[(i * 7919) % map.size()].address, map[i].type,
                          map[i].name);
  }
  WriteTestFile(absl::StrCat(root, "/usr/lib/debug/boot/System.map-", kRelease),
        scrambled);
  BuildOutput out = Build(root);
  const Catalog& c = out.catalog;
  const InputSource* rejected = nullptr;
  for (const InputSource& s : c.sources) {
    if (s.what == "System.map" && s.state == SourceState::kRejected &&
        s.path.find("usr/lib/debug") != std::string::npos) {
      rejected = &s;
    }
  }
  ASSERT_NE(rejected, nullptr);
  EXPECT_FALSE(rejected->why.empty());
  EXPECT_EQ(Find(c, "System.map", SourceState::kFound), nullptr);
  EXPECT_FALSE(c.identity.kaslr_offset_known);
  EXPECT_GT(c.symbols.size(), map.size() / 2);  // kallsyms' symbols
}

TEST(FakeRootTest, ReleaseOverridesOsrelease) {
  std::string root = Make({"release"});
  BuildInputs in;
  in.root = root;
  in.release = "6.1.0-other";
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  // Nothing is installed for that release: kallsyms alone.
  EXPECT_EQ(out->catalog.identity.release, "6.1.0-other");
  EXPECT_EQ(Find(out->catalog, "vmlinux", SourceState::kFound), nullptr);
  EXPECT_FALSE(out->catalog.identity.kaslr_offset_known);
}

TEST(FakeRootTest, ARootWithoutKallsymsIsNotFound) {
  BuildInputs in;
  const char* tmp = std::getenv("TEST_TMPDIR");
  in.root = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/empty-root");
  MakeDirs(in.root);
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(absl::IsNotFound(out.status())) << out.status();
  EXPECT_NE(out.status().message().find("proc/kallsyms"),
            absl::string_view::npos);
}

// Serves one file for any build-id, like a debuginfod server would.
class OneFileFetcher : public DebugFileFetcher {
 public:
  explicit OneFileFetcher(absl::StatusOr<FetchedFile> answer)
      : answer_(std::move(answer)) {}
  std::string Servers() const override { return "http://debuginfod.test"; }
  absl::StatusOr<FetchedFile> FetchDebugInfo(absl::string_view build_id,
                                             const FetchProgressFn&,
                                             const FetchLimits&) override {
    asked.push_back(std::string(build_id));
    return answer_;
  }
  std::vector<std::string> asked;

 private:
  absl::StatusOr<FetchedFile> answer_;
};

BuildOutput BuildFetching(const std::string& root, DebugFileFetcher& fetcher) {
  BuildInputs in;
  in.root = root;
  in.debug_fetcher = &fetcher;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : BuildOutput();
}

TEST(FakeRootTest, AVmlinuxNotInstalledIsFetchedByTheRunningKernelsBuildId) {
  std::string root = Make({"fetched", false, false});
  const std::string url = "http://debuginfod.test/buildid/x/debuginfo";
  OneFileFetcher fetcher(FetchedFile{Absolute(kVmlinux), url});
  BuildOutput out = BuildFetching(root, fetcher);
  const Catalog& c = out.catalog;
  EXPECT_EQ(fetcher.asked, std::vector<std::string>{VmlinuxBuildId()});
  const InputSource* vmlinux = Find(c, "vmlinux", SourceState::kFound);
  ASSERT_NE(vmlinux, nullptr);
  EXPECT_EQ(vmlinux->path, Absolute(kVmlinux));
  EXPECT_EQ(vmlinux->why, "via debuginfod " + url);
  // The fetched vmlinux is used as an installed one would be.
  EXPECT_TRUE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.kaslr_offset, static_cast<int64_t>(kSlide));
  EXPECT_GT(out.attribution.text_with_object, out.attribution.text_symbols / 2);
}

TEST(FakeRootTest, AFetchedVmlinuxOfAnotherBuildIsRejected) {
  const std::string other(40, 'c');
  std::string root = Make({"fetched-other", false, false, other});
  OneFileFetcher fetcher(FetchedFile{Absolute(kVmlinux), "http://x/y"});
  BuildOutput out = BuildFetching(root, fetcher);
  const Catalog& c = out.catalog;
  EXPECT_EQ(fetcher.asked, std::vector<std::string>{other});
  EXPECT_EQ(Find(c, "vmlinux", SourceState::kFound), nullptr);
  const InputSource* rejected = nullptr;
  for (const InputSource& s : c.sources) {
    if (s.what == "vmlinux" && s.path == Absolute(kVmlinux)) rejected = &s;
  }
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->state, SourceState::kRejected);
  EXPECT_NE(rejected->why.find(other), std::string::npos) << rejected->why;
  EXPECT_NE(rejected->why.find(VmlinuxBuildId()), std::string::npos);
  EXPECT_EQ(out.attribution.text_with_object, 0u);
}

TEST(FakeRootTest, AVmlinuxNoServerHasLeavesKallsyms) {
  std::string root = Make({"fetch-missing", false, false});
  OneFileFetcher fetcher(absl::NotFoundError("on no debuginfod server"));
  BuildOutput out = BuildFetching(root, fetcher);
  const Catalog& c = out.catalog;
  EXPECT_EQ(Find(c, "vmlinux", SourceState::kFound), nullptr);
  bool said = false;
  for (const InputSource& s : c.sources) {
    said |= s.what == "vmlinux" && s.state == SourceState::kMissing &&
            s.path == "http://debuginfod.test" &&
            s.why == "debuginfod: on no debuginfod server";
  }
  EXPECT_TRUE(said);
  EXPECT_FALSE(c.identity.kaslr_offset_known);
  EXPECT_GT(c.symbols.size(), 0u);
}

}  // namespace
}  // namespace ksym
