#include "symbolizer/fleet/index_store.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/testing/fake_files.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/fleet/fleet_symbolizer.h"
#include "symbolizer/fleet/module_index.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {
namespace {

const char kVmlinux[] = "symbolizer/sources/elf/fixture_vmlinux";
const char kModule[] = "symbolizer/sources/elf/ksym-fixture.ko";

std::string TempDir(const std::string& name) {
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

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

TEST(IndexStoreTest, AddsAndOpensKernelAndModuleBuilds) {
  IndexStore store(TempDir("store1"));
  absl::StatusOr<IndexStore::Added> k = store.Add(kVmlinux);
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_FALSE(k->module);
  EXPECT_EQ(k->build_id, *ReadElfBuildIdFile(kVmlinux));
  EXPECT_EQ(k->path, absl::StrCat(store.dir(), "/.build-id/",
                                  k->build_id.substr(0, 2), "/",
                                  k->build_id.substr(2), ".ksym"));
  absl::StatusOr<IndexStore::Added> m = store.Add(kModule);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->module);
  EXPECT_GT(m->symbols, 0u);

  absl::StatusOr<std::unique_ptr<Symbolizer>> ks = store.Open(k->build_id);
  ASSERT_TRUE(ks.ok()) << ks.status();
  EXPECT_TRUE(ModuleSectionBases(**ks).empty());
  absl::StatusOr<std::unique_ptr<Symbolizer>> ms = store.Open(m->build_id);
  ASSERT_TRUE(ms.ok()) << ms.status();
  EXPECT_EQ((*ms)->index().release(), "ksym_fixture");
  EXPECT_TRUE(ModuleSectionBases(**ms).contains(".text"));
}

TEST(IndexStoreTest, BuildIdIsNeverAPath) {
  IndexStore store(TempDir("store2"));
  for (const char* bad : {"../../etc/passwd", "AB", "a", "", "0g"}) {
    absl::StatusOr<std::unique_ptr<Symbolizer>> s = store.Open(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(s.status())) << s.status();
  }
  EXPECT_TRUE(absl::IsNotFound(store.Open("abcd").status()));
}

TEST(IndexStoreTest, DamagedOrForeignFilesAreRefused) {
  IndexStore store(TempDir("store3"));
  absl::StatusOr<IndexStore::Added> k = store.Add(kVmlinux);
  absl::StatusOr<IndexStore::Added> m = store.Add(kModule);
  ASSERT_TRUE(k.ok() && m.ok());
  // A module's index where the kernel's should be.
  const std::string kernel_bytes = Read(k->path);
  Write(k->path, Read(m->path));
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = store.Open(k->build_id);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsDataLoss(s.status())) << s.status();
  EXPECT_TRUE(absl::StrContains(s.status().message(), "holds the index of "
                                                      "build-id"))
      << s.status();
  // One byte flipped in the middle.
  std::string damaged = kernel_bytes;
  damaged[damaged.size() / 2] ^= 0x5a;
  Write(k->path, damaged);
  s = store.Open(k->build_id);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsDataLoss(s.status())) << s.status();
  // Not an index at all.
  Write(k->path, "hello");
  EXPECT_TRUE(absl::IsDataLoss(store.Open(k->build_id).status()));
  // FleetSymbolizer says so on every row instead of answering.
  FleetSymbolizer fleet(store);
  FleetBatch batch;
  const uint64_t a = 0xffffffff81000000;
  fleet.SymbolizeBuild(k->build_id, "", {&a, 1}, &batch);
  ASSERT_EQ(batch.entry.size(), 1u);
  const FleetEntry& e = batch.entries[batch.entry[0]];
  EXPECT_FALSE(e.found);
  EXPECT_TRUE(absl::StartsWith(e.qualified, "?? (")) << e.qualified;
}

TEST(IndexStoreTest, BuildsOnDemandFromALocalDebugTree) {
  const std::string debug = TempDir("debugroot");
  const std::string id = *ReadElfBuildIdFile(kModule);
  const std::string dir = absl::StrCat(debug, "/usr/lib/debug/.build-id/",
                                       id.substr(0, 2));
  for (const std::string& d :
       {debug + "/usr", debug + "/usr/lib", debug + "/usr/lib/debug",
        debug + "/usr/lib/debug/.build-id", dir}) {
    mkdir(d.c_str(), 0755);
  }
  Write(absl::StrCat(dir, "/", id.substr(2), ".debug"), Read(kModule));
  IndexStore store(TempDir("store4"), {.debug_root = debug});
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = store.Open(id);
  ASSERT_TRUE(s.ok()) << s.status();
  struct stat st;
  EXPECT_EQ(stat(store.PathFor(id)->c_str(), &st), 0) << "kept in the store";
}

// A kernel built on demand from a debug tree laid out as Debian's -dbg
// package lays it out takes the built-in modules and System.map of the
// release its banner names from there; without them its names lack [mod].
TEST(IndexStoreTest, OnDemandKernelTakesBuiltinModulesFromTheDebugTree) {
  const std::string kernel = "testdata/synthetic/build/vmlinux";
  const std::string release = "6.1.0-synthetic";
  const std::string id = *ReadElfBuildIdFile(kernel);
  ASSERT_FALSE(id.empty());
  auto lay_out = [&](const std::string& debug, bool with_modules) {
    const std::string dir = absl::StrCat(debug, "/usr/lib/debug/.build-id/",
                                         id.substr(0, 2));
    WriteTestFile(absl::StrCat(dir, "/", id.substr(2), ".debug"),
                  Read(kernel));
    if (!with_modules) return;
    const std::string modules =
        absl::StrCat(debug, "/usr/lib/debug/lib/modules/", release);
    for (const char* f : {"modules.builtin", "modules.builtin.modinfo"}) {
      WriteTestFile(absl::StrCat(modules, "/", f),
            Read(absl::StrCat("testdata/synthetic/modules/", release, "/", f)));
    }
    WriteTestFile(
        absl::StrCat(debug, "/usr/lib/debug/boot/System.map-", release),
        Read("testdata/synthetic/build/System.map"));
  };
  auto ext4_fill_super = [&](const Symbolizer& s) {
    absl::StatusOr<std::vector<Candidate>> c = s.Resolve("ext4_fill_super");
    EXPECT_TRUE(c.ok() && c->size() == 1);
    return c.ok() && !c->empty() ? s.QualifiedName((*c)[0].symbol)
                                 : std::string();
  };

  const std::string debug = TempDir("debugroot-kernel");
  lay_out(debug, true);
  const KernelExtras extras = KernelExtrasInDebugTree(
      debug, absl::StrCat(debug, "/usr/lib/debug/.build-id/", id.substr(0, 2),
                          "/", id.substr(2), ".debug"));
  EXPECT_EQ(extras.modules_dir,
            absl::StrCat(debug, "/usr/lib/debug/lib/modules/", release));
  EXPECT_EQ(extras.system_map,
            absl::StrCat(debug, "/usr/lib/debug/boot/System.map-", release));
  IndexStore store(TempDir("store-kernel"), {.debug_root = debug});
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = store.Open(id);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(ext4_fill_super(**s), "ext4_fill_super [ext4] {super.o}");

  const std::string bare = TempDir("debugroot-bare");
  lay_out(bare, false);
  EXPECT_TRUE(KernelExtrasInDebugTree(bare, kernel).modules_dir.empty());
  IndexStore bare_store(TempDir("store-bare"), {.debug_root = bare});
  absl::StatusOr<std::unique_ptr<Symbolizer>> b = bare_store.Open(id);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(ext4_fill_super(**b), "ext4_fill_super {super.o}");
  // The index says why it has no built-in modules.
  bool said = false;
  for (const auto& source : (*b)->index().sources()) {
    if (source.what != "modules.builtin") continue;
    said = true;
    EXPECT_NE(source.why.find(absl::StrCat("no modules.builtin* of release ",
                                           release, " in ", bare)),
              std::string::npos)
        << source.why;
  }
  EXPECT_TRUE(said);
}

// Runtime addresses of a host (KASLR slide, module loaded somewhere) give
// the symbols of the static indexes at the same offsets.
TEST(FleetSymbolizerTest, HostAddressesThroughTheLayout) {
  IndexStore store(TempDir("store5"));
  absl::StatusOr<IndexStore::Added> k = store.Add(kVmlinux);
  absl::StatusOr<IndexStore::Added> m = store.Add(kModule);
  ASSERT_TRUE(k.ok() && m.ok());
  std::unique_ptr<Symbolizer> kernel = *store.Open(k->build_id);
  std::unique_ptr<Symbolizer> module = *store.Open(m->build_id);
  const uint64_t link_text = (*kernel->ResolveUnique("_text")).address;
  const absl::flat_hash_map<std::string, uint64_t> bases =
      ModuleSectionBases(*module);

  HostLayout host;
  host.build_id = k->build_id;
  host.text_known = true;
  host.text_address = link_text + 0x1c000000;
  host.modules.push_back({"ksym_fixture", m->build_id, {}});
  for (const auto& [name, base] : bases) {
    host.modules[0].sections.push_back(
        {name, 0xffffffffc0381000 + (base - kModuleIndexBase)});
  }
  // Every text symbol of both, one byte in.
  std::vector<uint64_t> runtime;
  std::vector<std::string> expected;
  for (uint32_t i = 0; i < kernel->index().symbol_count(); ++i) {
    const SymbolInfo s = kernel->Symbol(i);
    if (!IsTextType(s.type) || s.size < 2) continue;
    runtime.push_back(s.address - link_text + host.text_address + 1);
    expected.push_back(kernel->QualifiedName(kernel->Lookup(s.address + 1).symbol));
  }
  const size_t kernel_rows = runtime.size();
  ASSERT_GT(kernel_rows, 0u);
  for (uint32_t i = 0; i < module->index().symbol_count(); ++i) {
    const SymbolInfo s = module->Symbol(i);
    if (!IsTextType(s.type) || s.size < 2) continue;
    runtime.push_back(s.address - kModuleIndexBase + 0xffffffffc0381000 + 1);
    expected.push_back(module->QualifiedName(module->Lookup(s.address + 1).symbol));
  }
  ASSERT_GT(runtime.size(), kernel_rows);
  runtime.push_back(0x1000);  // user space
  FleetSymbolizer fleet(store, /*max_open=*/1);  // evicts between builds
  FleetBatch batch;
  fleet.SymbolizeHost(host, runtime, &batch);
  ASSERT_EQ(batch.entry.size(), runtime.size());
  for (size_t i = 0; i + 1 < runtime.size(); ++i) {
    const FleetEntry& e = batch.entries[batch.entry[i]];
    EXPECT_TRUE(e.found) << i << " " << e.qualified;
    EXPECT_EQ(e.qualified, expected[i]);
    EXPECT_EQ(batch.offset[i], 1u);
    EXPECT_EQ(e.build_id, i < kernel_rows ? k->build_id : m->build_id);
  }
  EXPECT_FALSE(batch.entries[batch.entry.back()].found);
  EXPECT_LE(fleet.open_count(), 1u);

  // A module whose build-id the host did not show: said on its rows.
  host.modules[0].build_id.clear();
  FleetBatch unknown;
  fleet.SymbolizeHost(host, {&runtime[kernel_rows], 1}, &unknown);
  EXPECT_EQ(unknown.entries[unknown.entry[0]].qualified,
            "?? (module ksym_fixture: build-id unknown in the host layout)");
}

// Rows of several builds interleaved, one call: the same answers as one
// SymbolizeBuild per build, rows in their own order; a row without a build
// and a bad group are said.
TEST(FleetSymbolizerTest, ManyBuildsInOneCall) {
  IndexStore store(TempDir("store7"));
  absl::StatusOr<IndexStore::Added> k = store.Add(kVmlinux);
  absl::StatusOr<IndexStore::Added> m = store.Add(kModule);
  ASSERT_TRUE(k.ok() && m.ok());
  std::unique_ptr<Symbolizer> kernel = *store.Open(k->build_id);
  std::unique_ptr<Symbolizer> module = *store.Open(m->build_id);
  std::vector<uint64_t> kernel_addrs, module_offsets;
  for (uint32_t i = 0; i < kernel->index().symbol_count(); ++i) {
    if (IsTextType(kernel->Symbol(i).type)) {
      kernel_addrs.push_back(kernel->Symbol(i).address + 1);
    }
  }
  const uint64_t text_base = ModuleSectionBases(*module).at(".text");
  for (uint32_t i = 0; i < module->index().symbol_count(); ++i) {
    const SymbolInfo s = module->Symbol(i);
    if (IsTextType(s.type) && s.address >= text_base) {
      module_offsets.push_back(s.address - text_base + 1);
    }
  }
  ASSERT_FALSE(kernel_addrs.empty());
  ASSERT_FALSE(module_offsets.empty());
  const std::vector<FleetSymbolizer::BuildKey> builds = {
      {k->build_id, ""}, {m->build_id, ".text"}, {"00ff", ""}};
  std::vector<int32_t> group;
  std::vector<uint64_t> addresses;
  for (size_t i = 0; i < kernel_addrs.size() || i < module_offsets.size();
       ++i) {
    if (i < kernel_addrs.size()) {
      group.push_back(0);
      addresses.push_back(kernel_addrs[i]);
    }
    if (i < module_offsets.size()) {
      group.push_back(1);
      addresses.push_back(module_offsets[i]);
    }
    if (i % 7 == 0) {
      group.push_back(i % 14 == 0 ? 2 : -1);
      addresses.push_back(kernel_addrs[0]);
    }
  }
  FleetSymbolizer fleet(store);
  FleetBatch all;
  ASSERT_TRUE(fleet.SymbolizeBuilds(builds, group, addresses, &all).ok());
  ASSERT_EQ(all.entry.size(), addresses.size());
  for (size_t i = 0; i < addresses.size(); ++i) {
    const FleetEntry& got = all.entries[all.entry[i]];
    if (group[i] < 0) {
      EXPECT_EQ(got.qualified, "?? (no build-id)");
      continue;
    }
    FleetBatch one;
    fleet.SymbolizeBuild(builds[group[i]].build_id, builds[group[i]].section,
                         {&addresses[i], 1}, &one);
    const FleetEntry& want = one.entries[one.entry[0]];
    EXPECT_EQ(got.qualified, want.qualified) << i;
    EXPECT_EQ(got.found, want.found) << i;
    EXPECT_EQ(got.build_id, want.build_id) << i;
    EXPECT_EQ(all.offset[i], one.offset[0]) << i;
    if (group[i] < 2) EXPECT_TRUE(got.found) << i << " " << got.qualified;
  }
  // Groups out of range: an error, nothing appended.
  const std::vector<int32_t> bad = {0, 3};
  FleetBatch none;
  EXPECT_TRUE(absl::IsInvalidArgument(
      fleet.SymbolizeBuilds(builds, bad, {addresses.data(), 2}, &none)));
  EXPECT_TRUE(none.entry.empty());
  EXPECT_TRUE(absl::IsInvalidArgument(
      fleet.SymbolizeBuilds(builds, bad, {addresses.data(), 1}, &none)));
}

// With lines asked for, each row has the innermost file:line and function
// and the whole chain as decode_stacktrace.sh prints it, as LocateSourceLines
// gives them on the build's index; a build without lines there says why.
TEST(FleetSymbolizerTest, SourceLinesPerRow) {
  IndexStore store(TempDir("store8"));
  absl::StatusOr<IndexStore::Added> k = store.Add(kVmlinux);
  absl::StatusOr<IndexStore::Added> m = store.Add(kModule);
  ASSERT_TRUE(k.ok() && m.ok());
  std::unique_ptr<Symbolizer> kernel = *store.Open(k->build_id);
  ASSERT_TRUE(kernel->index().lines().present());
  std::vector<uint64_t> addrs;
  for (uint32_t i = 0; i < kernel->index().symbol_count(); ++i) {
    const SymbolInfo s = kernel->Symbol(i);
    if (IsTextType(s.type) && s.size > 4) addrs.push_back(s.address + 4);
  }
  ASSERT_FALSE(addrs.empty());
  // Repeated addresses (answered from the batch's cache) answer the same.
  const size_t distinct = addrs.size();
  for (size_t i = 0; i < distinct; i += 3) addrs.push_back(addrs[i]);
  FleetSymbolizer fleet(store);
  FleetBatch batch;
  batch.lines = true;
  fleet.SymbolizeBuild(k->build_id, "", addrs, &batch);
  ASSERT_EQ(batch.source.size(), addrs.size());
  size_t with_file = 0;
  for (size_t i = 0; i < addrs.size(); ++i) {
    const LookupResult r = kernel->Lookup(addrs[i]);
    const SourceLines l = LocateSourceLines(*kernel, r.symbol, r.offset);
    ASSERT_GE(batch.source[i], 0) << i;
    if (l.state != SourceLines::State::kFound) {
      EXPECT_EQ(batch.texts[batch.source[i]], absl::StrCat("?? (", l.why, ")"));
      continue;
    }
    EXPECT_EQ(batch.texts[batch.source[i]], DecodeStacktraceText(l)) << i;
    EXPECT_EQ(batch.line[i], l.frames[0].line) << i;
    if (batch.file[i] >= 0) {
      ++with_file;
      EXPECT_EQ(batch.texts[batch.file[i]], l.frames[0].path) << i;
      EXPECT_EQ(batch.texts[batch.function[i]], FrameFunction(l, 0)) << i;
    }
  }
  EXPECT_GT(with_file, 0u);
  // The module's index has its debug lines (the fixture .ko has DWARF),
  // placed at its section bases: a row gets the function's file:line.
  std::unique_ptr<Symbolizer> module = *store.Open(m->build_id);
  ASSERT_TRUE(module->index().module_lines().present());
  FleetBatch mod;
  mod.lines = true;
  const uint64_t one = 1;
  fleet.SymbolizeBuild(m->build_id, ".text", {&one, 1}, &mod);
  ASSERT_TRUE(mod.entries[mod.entry[0]].found);
  ASSERT_GE(mod.source[0], 0);
  const uint64_t at = ModuleSectionBases(*module).at(".text") + one;
  const LookupResult r = module->Lookup(at);
  const SourceLines l = LocateSourceLines(*module, r.symbol, r.offset);
  ASSERT_EQ(l.state, SourceLines::State::kFound) << l.why;
  EXPECT_EQ(FrameFunction(l, l.frames.size() - 1), r.symbol.name());
  EXPECT_TRUE(absl::StrContains(l.frames[0].path, "module/mod_"))
      << l.frames[0].path;
  EXPECT_EQ(mod.texts[mod.source[0]], DecodeStacktraceText(l));
  ASSERT_GE(mod.file[0], 0);
  EXPECT_EQ(mod.texts[mod.file[0]], l.frames[0].path);
}

// Several processes add and open the same build-ids at once: every open
// succeeds, nobody sees a torn file.
TEST(IndexStoreTest, ConcurrentProcesses) {
  const std::string dir = TempDir("store6");
  const std::string kid = *ReadElfBuildIdFile(kVmlinux);
  const std::string mid = *ReadElfBuildIdFile(kModule);
  std::vector<pid_t> children;
  for (int p = 0; p < 4; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      IndexStore store(dir);
      int bad = 0;
      for (int round = 0; round < 5; ++round) {
        if (!store.Add((p + round) % 2 ? kVmlinux : kModule).ok()) ++bad;
        for (const std::string& id : {kid, mid}) {
          absl::StatusOr<std::unique_ptr<Symbolizer>> s = store.Open(id);
          if (!s.ok() && !absl::IsNotFound(s.status())) ++bad;
        }
      }
      _exit(bad);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "opens or adds failed";
  }
  IndexStore store(dir);
  EXPECT_TRUE(store.Open(kid).ok());
  EXPECT_TRUE(store.Open(mid).ok());
}

}  // namespace
}  // namespace ksym
