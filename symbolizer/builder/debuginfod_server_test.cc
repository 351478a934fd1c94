// debuginfod end to end: a real debuginfod server on 127.0.0.1 indexing the
// Debian 6.1 cloud kernel's -dbg files (tools/fetch-debian-kernel.sh: the
// vmlinux and a few debug .ko), and a fake live root that has only what a
// machine without the -dbg package has: /proc/kallsyms (System.map moved by
// a synthetic KASLR slide, one module's lines at synthetic load addresses),
// the build-ids in /sys/kernel/notes and /sys/module/M/notes, the module's
// sections, its .ko from the image package, osrelease. The build must fetch
// the vmlinux and the module's debug .ko by their build-ids through
// libdebuginfod (DEBUGINFOD_URLS, a temporary DEBUGINFOD_CACHE_PATH) and
// index their objects.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debuginfod_server_test
#include <dirent.h>
#include <elf.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/testing/build_id_note.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/debuginfod_server.h"
#include "symbolizer/testing/fake_files.h"

namespace ksym {
namespace {

using testutil::DebianKernel;
using testutil::DebuginfodServer;

constexpr uint64_t kSlide = 0x1c000000;
constexpr uint64_t kModuleBase = 0xffffffffc0400000;

std::string TestTmp() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

void Link(const std::string& target, const std::string& link) {
  MakeDirs(link.substr(0, link.rfind('/')));
  unlink(link.c_str());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0) << link;
}

void RemoveTree(const std::string& dir) {
  nftw(
      dir.c_str(),
      [](const char* path, const struct stat*, int, struct FTW*) {
        return remove(path);
      },
      16, FTW_DEPTH | FTW_PHYS);
}

// A debuginfod client cache of its own per test: a file one test fetched
// must not answer another's query.
std::string Cache(absl::string_view name) {
  return absl::StrCat(TestTmp(), "/cache-", name);
}

// Where the module loader would put a symbol of the .ko: allocated, in a
// real section, not in the .init sections freed after loading.
bool Placed(const ElfSymbol& s) {
  return !s.name.empty() && (s.section_flags & SHF_ALLOC) != 0 &&
         s.section_index != 0 && s.section_index < SHN_LORESERVE &&
         !absl::StartsWith(s.section_name, ".init");
}

// Text names of the module that several of its source files define.
std::map<std::string, std::set<std::string>> RepeatedNames(
    const ElfSymbolTable& t) {
  std::map<std::string, std::set<std::string>> files;
  for (const ElfSymbol& s : t.symbols) {
    if (Placed(s) && IsTextType(s.nm_type) && s.file >= 0) {
      files[s.name].insert(t.files[s.file]);
    }
  }
  for (auto it = files.begin(); it != files.end();) {
    it = it->second.size() > 1 ? std::next(it) : files.erase(it);
  }
  return files;
}

std::vector<std::string> KoFiles(const std::string& top) {
  std::vector<std::string> found, stack = {top};
  while (!stack.empty()) {
    std::string dir = stack.back();
    stack.pop_back();
    if (DIR* d = opendir(dir.c_str())) {
      while (struct dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        std::string p = dir + "/" + n;
        struct stat st;
        if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
          stack.push_back(p);
        } else if (absl::EndsWith(n, ".ko")) {
          found.push_back(p);
        }
      }
      closedir(d);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

// The loaded module of the fake root: the one whose debug .ko tells most
// repeated names apart.
struct LoadedModule {
  std::string name;
  std::string rel;       // kernel/drivers/virtio/virtio_pci.ko
  std::string ko;        // image package: no debug data
  ElfSymbolTable debug;  // the -dbg package's .ko (not installed in root)
  std::map<std::string, uint64_t> sections;  // load addresses
};

struct Shared {
  DebianKernel k;
  std::string build_id;
  std::vector<KallsymsEntry> system_map;
  LoadedModule module;
  std::string root;
  std::unique_ptr<DebuginfodServer> server;        // vmlinux + debug .ko
  std::unique_ptr<DebuginfodServer> empty_server;  // nothing
};

void PickModule(Shared& s) {
  const std::string debug_top = absl::StrCat(
      s.k.vmlinux.substr(0, s.k.vmlinux.rfind("/usr/lib/debug/boot/")),
      "/usr/lib/debug/lib/modules/", s.k.release);
  size_t best = 0;
  for (const std::string& ko : KoFiles(s.k.modules_dir + "/kernel")) {
    const std::string rel = ko.substr(s.k.modules_dir.size() + 1);
    absl::StatusOr<ElfSymbolTable> t =
        ReadElfSymtabFile(absl::StrCat(debug_top, "/", rel));
    if (!t.ok()) continue;
    const size_t repeats = RepeatedNames(*t).size();
    if (!s.module.name.empty() && repeats <= best) continue;
    best = repeats;
    s.module = {t->module_name, rel, ko, *std::move(t), {}};
  }
  // Each allocated section at its own page-aligned address, as the module
  // loader lays them out.
  std::map<std::string, uint64_t> extent;
  for (const ElfSymbol& sym : s.module.debug.symbols) {
    if (!Placed(sym)) continue;
    uint64_t& e = extent[sym.section_name];
    e = std::max(e, sym.value + sym.size);
  }
  uint64_t base = kModuleBase;
  for (const auto& [section, size] : extent) {
    s.module.sections[section] = base;
    base += (size + 0x1000) & ~uint64_t{0xfff};
  }
}

// ROOT as a machine without the -dbg package shows it.
void MakeRoot(Shared& s) {
  s.root = TestTmp() + "/root";
  const std::string& r = s.k.release;
  std::string kallsyms;
  for (const KallsymsEntry& e : s.system_map) {
    // x86_64 per-CPU symbols are linked at 0 and stay there.
    uint64_t a = e.address < 0x1000000 ? e.address : e.address + kSlide;
    absl::StrAppendFormat(&kallsyms, "%016x %c %s\n", a, e.type, e.name);
  }
  WriteTestFile(s.root + "/proc/sys/kernel/osrelease", r + "\n");
  WriteTestFile(s.root + "/sys/kernel/notes", testutil::BuildIdNotes(s.build_id));
  const LoadedModule& m = s.module;
  if (!m.name.empty()) {
    const std::string sys = s.root + "/sys/module/" + m.name;
    for (const auto& [section, address] : m.sections) {
      WriteTestFile(absl::StrCat(sys, "/sections/", section),
            absl::StrFormat("0x%016x\n", address));
    }
    WriteTestFile(sys + "/notes/.note.gnu.build-id", testutil::BuildIdNotes(m.debug.build_id));
    WriteTestFile(s.root + "/proc/modules",
          absl::StrFormat("%s 65536 0 - Live 0x%016x\n", m.name,
                          m.sections.begin()->second));
    for (const ElfSymbol& sym : m.debug.symbols) {
      if (!Placed(sym)) continue;
      absl::StrAppendFormat(&kallsyms, "%016x %c %s\t[%s]\n",
                            m.sections.at(sym.section_name) + sym.value,
                            sym.nm_type, sym.name, m.name);
    }
    const std::string mods = absl::StrCat(s.root, "/lib/modules/", r);
    Link(m.ko, absl::StrCat(mods, "/", m.rel));
    WriteTestFile(mods + "/modules.dep", m.rel + ":\n");
  }
  WriteTestFile(s.root + "/proc/kallsyms", kallsyms);
}

class DebuginfodServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = new Shared;
    Shared& s = *shared_;
    absl::StatusOr<DebianKernel> k = testutil::FindDebianKernel(
        "//symbolizer/builder:debuginfod_server_test");
    ASSERT_TRUE(k.ok()) << k.status().message();
    s.k = *k;
    absl::StatusOr<std::string> id = ReadElfBuildIdFile(k->vmlinux);
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_FALSE(id->empty());
    s.build_id = *id;
    absl::StatusOr<std::string> map = ReadFileToString(k->system_map);
    ASSERT_TRUE(map.ok()) << map.status();
    absl::StatusOr<std::vector<KallsymsEntry>> entries =
        ParseSystemMap(*map, k->system_map);
    ASSERT_TRUE(entries.ok()) << entries.status();
    s.system_map = *std::move(entries);
    PickModule(s);
    MakeRoot(s);

    // One server over the -dbg files (usr/lib/debug: boot/vmlinux-R and
    // lib/modules/R/**/M.ko), one over nothing.
    const std::string debug_dir =
        k->vmlinux.substr(0, k->vmlinux.rfind("/boot/"));
    const absl::Time start = absl::Now();
    absl::StatusOr<std::unique_ptr<DebuginfodServer>> server =
        DebuginfodServer::Start({debug_dir}, TestTmp());
    ASSERT_TRUE(server.ok()) << server.status();
    std::cout << "debuginfod over " << debug_dir << " scanned in "
              << absl::FormatDuration(absl::Now() - start) << "\n";
    s.server = *std::move(server);
    const std::string empty = TestTmp() + "/empty";
    MakeDirs(empty);
    server = DebuginfodServer::Start({empty}, TestTmp());
    ASSERT_TRUE(server.ok()) << server.status();
    s.empty_server = *std::move(server);
  }

  static void TearDownTestSuite() {
    delete shared_;  // kills the servers
    shared_ = nullptr;
    // The fetched vmlinux is hundreds of MB.
    RemoveTree(Cache("fetch"));
    RemoveTree(Cache("empty"));
  }

  void SetUp() override { ASSERT_NE(shared_->empty_server, nullptr); }

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
    in.root = shared_->root;
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

  static const InputSource* Source(const Catalog& c, absl::string_view what,
                                   SourceState state) {
    for (const InputSource& s : c.sources) {
      if (s.what == what && s.state == state) return &s;
    }
    return nullptr;
  }

  static Shared* shared_;
};

Shared* DebuginfodServerTest::shared_ = nullptr;

TEST_F(DebuginfodServerTest, VmlinuxAndModuleDebugFilesAreFetchedByBuildId) {
  const Shared& s = *shared_;
  std::vector<std::string> progress;
  BuildOutput out = Build(s.server->url(), Cache("fetch"), &progress);
  const Catalog& c = out.catalog;

  // Reported as found through debuginfod: the cached file and the URL.
  const InputSource* v = Source(c, "vmlinux", SourceState::kFound);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(absl::StartsWith(v->path, Cache("fetch") + "/")) << v->path;
  EXPECT_EQ(v->why, absl::StrCat("via debuginfod ", s.server->url(),
                                 "/buildid/", s.build_id, "/debuginfo"));
  EXPECT_EQ(ReadElfBuildIdFile(v->path).value_or(""), s.build_id);
  // A progress line with the download's size.
  EXPECT_TRUE(std::any_of(progress.begin(), progress.end(), [](auto& line) {
    return absl::StartsWith(line, "fetching vmlinux from debuginfod (");
  })) << absl::StrJoin(progress, "\n");

  // The vmlinux joined the kallsyms: the slide, exact sizes, objects from
  // its DWARF, and {obj} where a name repeats.
  EXPECT_EQ(c.identity.build_id, s.build_id);
  EXPECT_TRUE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.kaslr_offset, static_cast<int64_t>(kSlide));
  const AttributionStats& a = out.attribution;
  EXPECT_GT(a.text_with_object, a.text_symbols * 9 / 10);
  EXPECT_GT(out.report.duplicate_names_before, 0u);
  absl::flat_hash_map<std::string, int> text_names;
  for (const Symbol& sym : c.symbols) {
    if (IsTextType(sym.type)) ++text_names[sym.name];
  }
  size_t repeated = 0, annotated = 0;
  for (const Symbol& sym : c.symbols) {
    if (!IsTextType(sym.type) || text_names[sym.name] < 2) continue;
    ++repeated;
    annotated += sym.object != kNoObject &&
                 !c.objects[sym.object].annotation.empty();
  }
  EXPECT_GT(annotated, repeated / 2) << annotated << " of " << repeated;
  // Every System.map text symbol is at its runtime address, nearly all
  // with an exact size.
  absl::flat_hash_map<std::string, const Symbol*> at;
  for (const Symbol& sym : c.symbols) {
    at[absl::StrCat(sym.name, "@", sym.address)] = &sym;
  }
  size_t text = 0, exact = 0;
  for (const KallsymsEntry& e : s.system_map) {
    if (!IsTextType(e.type) || e.address < 0x1000000) continue;
    ++text;
    auto it = at.find(absl::StrCat(e.name, "@", e.address + kSlide));
    ASSERT_NE(it, at.end()) << e.name;
    exact += it->second->size_exact;
  }
  EXPECT_GT(exact, text * 9 / 10);

  // The loaded module's debug .ko came from the server too: names repeated
  // inside the module get distinct objects and {obj}.
  const LoadedModule& m = s.module;
  ASSERT_FALSE(m.name.empty())
      << "the cache holds no modules: run tools/fetch-debian-kernel.sh again";
  const std::string debug_what = absl::StrCat("module ", m.name, " debug");
  const InputSource* d = Source(c, debug_what, SourceState::kFound);
  ASSERT_NE(d, nullptr) << debug_what;
  EXPECT_EQ(d->why, absl::StrCat("via debuginfod ", s.server->url(),
                                 "/buildid/", m.debug.build_id, "/debuginfo"));
  EXPECT_TRUE(absl::StartsWith(d->path, Cache("fetch") + "/")) << d->path;
  const std::map<std::string, std::set<std::string>> repeats =
      RepeatedNames(m.debug);
  EXPECT_FALSE(repeats.empty()) << m.name;
  for (const auto& [name, files] : repeats) {
    std::set<uint32_t> objects;
    std::set<std::string> annotations;
    for (const Symbol& sym : c.symbols) {
      if (sym.name != name || sym.module_set == kNoModules ||
          c.module_sets[sym.module_set] != std::vector<std::string>{m.name}) {
        continue;
      }
      ASSERT_NE(sym.object, kNoObject) << m.name << " " << name;
      objects.insert(sym.object);
      annotations.insert(c.objects[sym.object].annotation);
    }
    EXPECT_EQ(objects.size(), files.size()) << m.name << " " << name;
    EXPECT_EQ(annotations.size(), files.size()) << m.name << " " << name;
    EXPECT_EQ(annotations.count(""), 0u) << m.name << " " << name;
  }

  // The same build again: the cache answers, without a download.
  BuildOutput warm = Build(s.server->url(), Cache("fetch"));
  const InputSource* cached = Source(warm.catalog, "vmlinux", SourceState::kFound);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->path, v->path);
  EXPECT_EQ(cached->why,
            absl::StrCat("via debuginfod (from its cache; servers ",
                         s.server->url(), ")"));
  EXPECT_EQ(warm.attribution.text_with_object, a.text_with_object);
  const InputSource* warm_debug =
      Source(warm.catalog, debug_what, SourceState::kFound);
  ASSERT_NE(warm_debug, nullptr);
  EXPECT_TRUE(absl::StrContains(warm_debug->why, "from its cache"));
}

TEST_F(DebuginfodServerTest, AServerWithoutTheFilesLeavesKallsymsAndTheKo) {
  const Shared& s = *shared_;
  BuildOutput out = Build(s.empty_server->url(), Cache("empty"));
  const Catalog& c = out.catalog;
  EXPECT_EQ(Source(c, "vmlinux", SourceState::kFound), nullptr);
  const InputSource* missing = nullptr;
  for (const InputSource& src : c.sources) {
    if (src.what == "vmlinux" && src.path == s.empty_server->url()) {
      missing = &src;
    }
  }
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->state, SourceState::kMissing);
  EXPECT_TRUE(absl::StrContains(missing->why, s.build_id)) << missing->why;
  EXPECT_TRUE(absl::StrContains(missing->why, "no debuginfod server"))
      << missing->why;
  // Nor the module's debug .ko.
  const InputSource* debug = Source(
      c, absl::StrCat("module ", s.module.name, " debug"),
      SourceState::kMissing);
  ASSERT_NE(debug, nullptr);
  EXPECT_TRUE(absl::StrContains(debug->why, s.module.debug.build_id))
      << debug->why;
  // The build still succeeds, from kallsyms and the module's .ko.
  EXPECT_EQ(c.identity.build_id, s.build_id);
  EXPECT_FALSE(c.identity.kaslr_offset_known);
  EXPECT_EQ(out.attribution.text_with_object, 0u);
  EXPECT_GT(out.attribution.text_symbols, 0u);
  size_t module_symbols = 0;
  for (const Symbol& sym : c.symbols) {
    module_symbols += sym.module_set != kNoModules &&
                      c.module_sets[sym.module_set] ==
                          std::vector<std::string>{s.module.name};
  }
  EXPECT_GT(module_symbols, 0u);
}

}  // namespace
}  // namespace ksym
