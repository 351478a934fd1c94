// Loadable modules on a fake live system made from the real Debian 6.1
// cloud kernel that tools/fetch-debian-kernel.sh extracts (vmlinux and
// System.map from -dbg, a few .ko files from the image package and their
// debug .ko from -dbg):
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_modules_test
//
// The test lays out ROOT as the kernel would show it: proc/kallsyms with a
// synthetic KASLR slide and each module's lines at synthetic load addresses,
// proc/modules, sys/module/M/sections and notes, lib/modules/R with the
// .ko files (some compressed with xz, zstd and gzip, as distributions ship
// them; one left out of modules.dep), the debug .ko files where Debian and
// Fedora put them (one module without any). Nothing asserted depends on
// which modules or which package version: every module found is used.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <elf.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/builder/module_files.h"
#include "symbolizer/builder/paths.h"
#include "proto/convert.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/alias_order.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/testing/build_id_note.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/fake_files.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

constexpr uint64_t kSlide = 0x1c000000;
#ifdef KSYM_DEBIAN_ARM64
// arm64's module area lies below the kernel image (MODULES_VADDR).
constexpr uint64_t kModuleBase = 0xffff800001000000;
#else
constexpr uint64_t kModuleBase = 0xffffffffc0400000;
#endif

// Puts the cached kernel file into the root: a hard link, or a copy across
// file systems. Not a symlink: --root resolves an absolute symlink inside
// the root, as the root's own system would, so it would find nothing.
void Link(const std::string& target, const std::string& link) {
  MakeDirs(link.substr(0, link.rfind('/')));
  unlink(link.c_str());
  if (::link(target.c_str(), link.c_str()) == 0) return;
  std::ifstream in(target, std::ios::binary);
  std::ofstream out(link, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  ASSERT_TRUE(in.good() && out.good()) << "copying " << target << " to "
                                       << link;
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::string Xz(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(
                6, LZMA_CHECK_CRC32, nullptr,
                reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string Gzip(const std::string& in) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&s, in.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = in.size();
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = out.size();
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// One module of the fake system and what the test expects of it.
struct Module {
  std::string name;       // "virtio_pci"
  std::string rel;        // "kernel/drivers/virtio/virtio_pci.ko"
  std::string ko;         // the image package's file
  std::string debug_ko;   // the -dbg package's file
  ElfSymbolTable symtab;  // of the debug .ko (symbols + STT_FILE)
  std::map<std::string, uint64_t> sections;  // at `base`
  bool has_debug = true;
};

struct Kernel {
  testutil::DebianKernel k;
  std::vector<KallsymsEntry> system_map;
  std::string build_id;
  std::vector<Module> modules;
};

const Kernel& TheKernel() {
  static const Kernel* kernel = [] {
    auto* out = new Kernel;
#ifdef KSYM_DEBIAN_ARM64
    absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(
        "//symbolizer/builder:debian_arm64_modules_test",
        testutil::kDebianArm64);
#else
    absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(
        "//symbolizer/builder:debian_modules_test");
#endif
    if (!k.ok()) {
      ADD_FAILURE() << k.status();
      return out;
    }
    out->k = *k;
    out->system_map = *ParseSystemMap(Read(k->system_map), k->system_map);
    out->build_id = *ReadElfBuildIdFile(k->vmlinux);
    const std::string dbg_root = k->vmlinux.substr(
        0, k->vmlinux.rfind("/usr/lib/debug/boot/vmlinux-"));
    const std::string debug_dir =
        absl::StrCat(dbg_root, "/usr/lib/debug/lib/modules/", k->release);
    std::vector<std::string> found;
    std::vector<std::string> stack = {k->modules_dir + "/kernel"};
    while (!stack.empty()) {
      std::string dir = stack.back();
      stack.pop_back();
      if (DIR* d = opendir(dir.c_str())) {
        while (struct dirent* e = readdir(d)) {
          std::string n = e->d_name;
          if (n == "." || n == "..") continue;
          std::string p = JoinPath(dir, n);
          if (IsDirectory(p)) stack.push_back(p);
          if (absl::EndsWith(n, ".ko")) found.push_back(p);
        }
        closedir(d);
      }
    }
    std::sort(found.begin(), found.end());
    uint64_t base = kModuleBase;
    for (const std::string& ko : found) {
      Module m;
      m.ko = ko;
      m.rel = ko.substr(k->modules_dir.size() + 1);
      m.debug_ko = JoinPath(debug_dir, m.rel);
      absl::StatusOr<ElfSymbolTable> t = ReadElfSymtabFile(m.debug_ko);
      if (!t.ok()) {
        ADD_FAILURE() << t.status();
        continue;
      }
      m.symtab = *std::move(t);
      m.name = m.symtab.module_name;
      // Each allocated section at its own page-aligned address, as the
      // module loader lays them out.
      std::map<std::string, uint64_t> extent;
      for (const ElfSymbol& s : m.symtab.symbols) {
        if ((s.section_flags & SHF_ALLOC) == 0 ||
            s.section_index >= SHN_LORESERVE || s.section_index == 0) {
          continue;
        }
        uint64_t& e = extent[s.section_name];
        e = std::max(e, s.value + s.size);
      }
      for (const auto& [section, size] : extent) {
        m.sections[section] = base;
        base += (size + 0x1000) & ~uint64_t{0xfff};
      }
      base = (base + 0xfffff) & ~uint64_t{0xfffff};
      out->modules.push_back(std::move(m));
    }
    // The module with the fewest names repeated inside it goes without
    // its debug .ko (the last one).
    auto repeats = [](const Module& m) {
      std::map<std::string, int> n;
      for (const ElfSymbol& s : m.symtab.symbols) n[s.name] += s.nm_type == 't';
      return std::count_if(n.begin(), n.end(),
                           [](const auto& e) { return e.second > 1; });
    };
    std::stable_sort(out->modules.begin(), out->modules.end(),
                     [&](const Module& a, const Module& b) {
                       return repeats(a) > repeats(b);
                     });
    if (!out->modules.empty()) out->modules.back().has_debug = false;
    return out;
  }();
  return *kernel;
}

bool Placed(const ElfSymbol& s) {
  return !s.name.empty() && (s.section_flags & SHF_ALLOC) != 0 &&
         s.section_index != 0 && s.section_index < SHN_LORESERVE &&
         !absl::StartsWith(s.section_name, ".init");
}

struct Options {
  std::string dir;
  uint64_t module_shift = 0;        // move every module by this much
  std::string bad_build_id_module;  // its notes name another build
};

// Lays out the fake root; returns its directory.
std::string Make(const Options& o) {
  const Kernel& kernel = TheKernel();
  const std::string& rel = kernel.k.release;
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/",
                                       o.dir);
  std::string kallsyms, proc_modules, dep;
  for (const KallsymsEntry& e : kernel.system_map) {
    uint64_t a = e.address < 0x1000000 ? e.address : e.address + kSlide;
    absl::StrAppendFormat(&kallsyms, "%016x %c %s\n", a, e.type, e.name);
  }
  WriteTestFile(dir + "/proc/sys/kernel/osrelease", rel + "\n");
  WriteTestFile(dir + "/sys/kernel/notes", testutil::BuildIdNotes(kernel.build_id));
  Link(kernel.k.vmlinux, dir + "/usr/lib/debug/boot/vmlinux-" + rel);
  Link(kernel.k.system_map, dir + "/usr/lib/debug/boot/System.map-" + rel);
  const std::string mods = dir + "/lib/modules/" + rel;
  for (const char* f : {"modules.builtin", "modules.builtin.modinfo",
                        "modules.order"}) {
    Link(JoinPath(kernel.k.modules_dir, f), JoinPath(mods, f));
  }
  for (size_t i = 0; i < kernel.modules.size(); ++i) {
    const Module& m = kernel.modules[i];
    const std::string sys = dir + "/sys/module/" + m.name;
    for (const auto& [section, address] : m.sections) {
      WriteTestFile(JoinPath(sys + "/sections", section),
            absl::StrFormat("0x%016x\n", address + o.module_shift));
    }
    WriteTestFile(sys + "/notes/.note.gnu.build-id",
          testutil::BuildIdNotes(m.name == o.bad_build_id_module ? std::string(40, 'e')
                                                      : m.symtab.build_id));
    absl::StrAppendFormat(&proc_modules, "%s %u 0 - Live 0x%016x\n", m.name,
                          65536, m.sections.begin()->second + o.module_shift);
    for (const ElfSymbol& s : m.symtab.symbols) {
      if (!Placed(s)) continue;
      absl::StrAppendFormat(&kallsyms, "%016x %c %s\t[%s]\n",
                            m.sections.at(s.section_name) + s.value +
                                o.module_shift,
                            s.nm_type, s.name, m.name);
    }
    // Module i: plain, xz, zstd (left out of modules.dep), gzip, in turn;
    // its debug .ko where Debian puts it, or (every second module) under
    // .build-id as Fedora does, or none (has_debug false).
    const std::string bytes = Read(m.ko);
    std::string file = JoinPath(mods, m.rel);
    switch (i % 4) {
      case 0:
        WriteTestFile(file, bytes);
        break;
      case 1:
        WriteTestFile(file += ".xz", Xz(bytes));
        break;
      case 2:
        WriteTestFile(file += ".zst", Zstd(bytes));
        break;
      case 3:
        WriteTestFile(file += ".gz", Gzip(bytes));
        break;
    }
    if (i % 4 != 2) absl::StrAppend(&dep, file.substr(mods.size() + 1), ":\n");
    if (!m.has_debug) continue;
    if (i % 2 == 0) {
      Link(m.debug_ko, absl::StrCat(dir, "/usr/lib/debug/lib/modules/", rel,
                                    "/", m.rel));
    } else {
      const std::string& id = m.symtab.build_id;
      Link(m.debug_ko, absl::StrCat(dir, "/usr/lib/debug/.build-id/",
                                    id.substr(0, 2), "/", id.substr(2),
                                    ".debug"));
    }
  }
  WriteTestFile(dir + "/proc/kallsyms", kallsyms);
  WriteTestFile(dir + "/proc/modules", proc_modules);
  WriteTestFile(mods + "/modules.dep", dep);
  return dir;
}

BuildOutput Build(const std::string& root, bool lines = true) {
  BuildInputs in;
  in.root = root;
  in.lines = lines;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : BuildOutput();
}

const InputSource* Find(const Catalog& c, absl::string_view what) {
  for (const InputSource& s : c.sources) {
    if (s.what == what) return &s;
  }
  return nullptr;
}

std::string Key(absl::string_view name, uint64_t address) {
  return absl::StrCat(name, "@", address);
}

TEST(DebianModulesTest, ModulesComeFromTheirKoAtTheirLoadAddresses) {
  const Kernel& kernel = TheKernel();
  ASSERT_GE(kernel.modules.size(), 3u)
      << "the cache holds no modules: run tools/fetch-debian-kernel.sh again";
  BuildOutput out = Build(Make({"modules"}));
  const Catalog& c = out.catalog;
  ASSERT_TRUE(c.identity.kaslr_offset_known);
  EXPECT_EQ(c.identity.kaslr_offset, static_cast<int64_t>(kSlide));

  // The build says how many modules got .ko and debug data.
  size_t with_debug = 0;
  for (const Module& m : kernel.modules) with_debug += m.has_debug;
  const InputSource* summary = Find(c, "loadable modules");
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->state, SourceState::kFound);
  const size_t n = kernel.modules.size();
  EXPECT_TRUE(absl::StrContains(
      summary->why, absl::StrCat(n, " loaded, ", n, " from .ko files, ",
                                 with_debug, " with debug data")))
      << summary->why;
  EXPECT_TRUE(absl::StrContains(summary->why, "kallsyms [mod] only: none"))
      << summary->why;

  absl::flat_hash_map<std::string, const Symbol*> at;
  for (const Symbol& s : c.symbols) at.emplace(Key(s.name, s.address), &s);

  // Every vmlinux text symbol at its runtime address, in no module set of
  // a loadable module.
  for (const KallsymsEntry& e : kernel.system_map) {
    if (!IsTextType(e.type) || e.address < 0x1000000) continue;
    auto it = at.find(Key(e.name, e.address + kSlide));
    ASSERT_NE(it, at.end()) << e.name;
    EXPECT_FALSE(c.loadable_module_sets.contains(it->second->module_set))
        << e.name;
  }
  // Every module text symbol at its load address with [mod] and its exact
  // size; with debug data, the object its STT_FILE names.
  size_t repeated = 0;
  for (size_t i = 0; i < kernel.modules.size(); ++i) {
    const Module& m = kernel.modules[i];
    std::map<std::string, std::set<std::string>> files_of;  // name -> files
    std::map<std::string, std::set<uint32_t>> objects_of;
    for (const ElfSymbol& s : m.symtab.symbols) {
      if (!Placed(s) || !IsTextType(s.nm_type)) continue;
      const uint64_t a = m.sections.at(s.section_name) + s.value;
      auto it = at.find(Key(s.name, a));
      ASSERT_NE(it, at.end()) << m.name << " " << s.name;
      const Symbol& got = *it->second;
      EXPECT_EQ(c.module_sets[got.module_set],
                std::vector<std::string>{m.name});
      EXPECT_TRUE(got.size_exact) << s.name;
      EXPECT_EQ(got.size, s.size) << s.name;
      if (!m.has_debug) {
        EXPECT_EQ(got.object, kNoObject) << m.name << " has no debug .ko";
        continue;
      }
      if (s.file < 0 || got.object == kNoObject) continue;
      const std::string& file = m.symtab.files[s.file];
      EXPECT_EQ(Stem(c.objects[got.object].path), Stem(file))
          << m.name << " " << s.name;
      files_of[s.name].insert(file);
      objects_of[s.name].insert(got.object);
    }
    // Names repeated inside the module, from different source files, get
    // distinct objects with distinct annotations: never ambiguous.
    for (const auto& [name, files] : files_of) {
      if (files.size() < 2) continue;
      ++repeated;
      EXPECT_EQ(objects_of[name].size(), files.size()) << m.name << " " << name;
      std::set<std::string> annotations;
      for (uint32_t o : objects_of[name]) {
        annotations.insert(c.objects[o].annotation);
      }
      EXPECT_EQ(annotations.size(), files.size()) << name;
      EXPECT_EQ(annotations.count(""), 0u) << name;
      for (const AmbiguousName& a : out.report.ambiguous) {
        EXPECT_FALSE(absl::StartsWith(a.qualified, name + " ")) << a.qualified;
      }
    }
  }
  EXPECT_GT(repeated, 0u) << "no module with a name repeated in two files";
}

// The module list says where each module was loaded, its build-id, its
// section addresses and what the build read of it, as the files gave them.
TEST(DebianModulesTest, EveryModuleIsListedWithItsRangeBuildIdAndSections) {
  const Kernel& kernel = TheKernel();
  ASSERT_GE(kernel.modules.size(), 3u);
  BuildOutput out = Build(Make({"module_list"}));
  const Catalog& c = out.catalog;
  ASSERT_EQ(c.modules.size(), kernel.modules.size());
  for (size_t k = 1; k < c.modules.size(); ++k) {
    EXPECT_LT(c.modules[k - 1].name, c.modules[k].name);
  }
  for (const Module& m : kernel.modules) {
    auto it = std::find_if(
        c.modules.begin(), c.modules.end(),
        [&](const LoadedModuleRecord& r) { return r.name == m.name; });
    ASSERT_NE(it, c.modules.end()) << m.name;
    EXPECT_EQ(it->base, m.sections.begin()->second) << m.name;
    EXPECT_EQ(it->size, 65536u) << m.name;  // what proc/modules said
    EXPECT_FALSE(it->range_inferred) << m.name;
    EXPECT_EQ(it->build_id, m.symtab.build_id) << m.name;
    EXPECT_TRUE(it->symbols_from_ko) << m.name;
    EXPECT_EQ(it->debug_read, m.has_debug) << m.name;
    ASSERT_EQ(it->sections.size(), m.sections.size()) << m.name;
    size_t j = 0;
    for (const auto& [section, address] : m.sections) {  // std::map: sorted
      EXPECT_EQ(it->sections[j].name, section);
      EXPECT_EQ(it->sections[j].address, address);
      ++j;
    }
  }
  // The same list read back from the index file.
  const std::unique_ptr<Symbolizer> read_back = testutil::SymbolizerOfBuilt(c);
  const IndexReader& r = read_back->index();
  ASSERT_TRUE(r.VerifyStructure().ok());
  ASSERT_EQ(r.module_count(), c.modules.size());
  for (uint32_t k = 0; k < r.module_count(); ++k) {
    const IndexReader::Module got = r.ModuleAt(k);
    const LoadedModuleRecord& want = c.modules[k];
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.build_id, want.build_id);
    EXPECT_EQ(got.base, want.base);
    EXPECT_EQ(got.size, want.size);
    EXPECT_EQ(got.debug_read, want.debug_read);
    ASSERT_EQ(got.section_count, want.sections.size());
    for (uint32_t j = 0; j < got.section_count; ++j) {
      EXPECT_EQ(r.ModuleSectionAt(got.first_section + j).first,
                want.sections[j].name);
    }
  }
}

TEST(DebianModulesTest, AModuleOfAnotherBuildIsRejectedNamingBothIds) {
  const Kernel& kernel = TheKernel();
  ASSERT_FALSE(kernel.modules.empty());
  const Module& m = kernel.modules[0];
  BuildOutput out = Build(Make({"other-build", 0, m.name}));
  const Catalog& c = out.catalog;
  const InputSource* rejected = nullptr;
  for (const InputSource& s : c.sources) {
    if (s.what == "module " + m.name && s.state == SourceState::kRejected) {
      rejected = &s;
    }
  }
  ASSERT_NE(rejected, nullptr);
  EXPECT_TRUE(absl::StrContains(rejected->why, m.symtab.build_id))
      << rejected->why;
  EXPECT_TRUE(absl::StrContains(rejected->why, std::string(40, 'e')))
      << rejected->why;
  const InputSource* summary = Find(c, "loadable modules");
  ASSERT_NE(summary, nullptr);
  EXPECT_TRUE(absl::StrContains(summary->why, m.name + " (no usable .ko"))
      << summary->why;
  // Its symbols still come from kallsyms, with [mod], without sizes.
  size_t from_kallsyms = 0;
  for (const Symbol& s : c.symbols) {
    if (c.module_sets[s.module_set] != std::vector<std::string>{m.name}) {
      continue;
    }
    ++from_kallsyms;
    EXPECT_FALSE(s.size_exact) << s.name;
    EXPECT_EQ(s.object, kNoObject) << s.name;
  }
  EXPECT_GT(from_kallsyms, 0u);
}

// A trace tool ships the table with a trace: a runtime index with real
// modules (their .ko objects, debug units, build-ids and sources) survives
// export --absolute and import byte for byte; the default (link-time)
// export leaves the modules out and says so. The vmlinux's line section
// goes with it (SymbolTable.lines) in every format.
TEST(DebianModulesTest, ARuntimeIndexWithModulesRoundTripsThroughTheProto) {
  BuildOutput out = Build(Make({"proto"}));
  ASSERT_NE(out.catalog.lines, nullptr);
  // Kept as bytes too: the import must give them back exactly.
  absl::StatusOr<std::string> bytes = SerializeIndex(out.catalog);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const std::unique_ptr<Symbolizer> read_back =
      testutil::SymbolizerOfBuilt(out.catalog);
  const IndexReader& reader = read_back->index();
  ASSERT_GT(reader.module_set_count(), 1u);
  for (ProtoFormat format :
       {ProtoFormat::kBinary, ProtoFormat::kTextProto, ProtoFormat::kJson}) {
    ExportOptions absolute;
    absolute.absolute = true;
    absl::StatusOr<std::string> table =
        ExportSymbolTableBytes(reader, format, absolute);
    ASSERT_TRUE(table.ok()) << table.status();
    if (format == ProtoFormat::kBinary) {
      // What a profile's Mapping needs: each module's range and build-id.
      proto::SymbolTable t;
      ASSERT_TRUE(t.ParseFromString(*table));
      ASSERT_EQ(t.modules_size(), static_cast<int>(out.catalog.modules.size()));
      ASSERT_TRUE(t.has_lines());
      EXPECT_EQ(t.lines().functions_size(),
                static_cast<int>(out.catalog.lines->functions.size()));
      // The modules' lines, at their load addresses (debug .ko read).
      ASSERT_NE(out.catalog.module_lines, nullptr);
      ASSERT_TRUE(t.has_module_lines());
      EXPECT_EQ(t.module_lines().functions_size(),
                static_cast<int>(out.catalog.module_lines->functions.size()));
      // The module aliases the kernel names by symtab order are carried
      // (module_exit()'s cleanup_module makes some in any module set).
      size_t marked = 0;
      for (uint64_t i = 0; i < reader.symbol_count(); ++i) {
        marked += reader.ModuleAliasFirst(static_cast<uint32_t>(i));
      }
      EXPECT_GT(marked, 0u);
      EXPECT_EQ(t.symbols().module_alias_first_size(),
                static_cast<int>(marked));
      for (const proto::LoadedModule& m : t.modules()) {
        EXPECT_GT(m.base(), 0u) << m.name();
        EXPECT_GT(m.size(), 0u) << m.name();
        EXPECT_EQ(m.build_id().size(), 40u) << m.name();
        EXPECT_GT(m.sections_size(), 0) << m.name();
      }
    }
    absl::StatusOr<Catalog> back =
        ImportSymbolTableBytes(*table, format, "runtime.pb");
    ASSERT_TRUE(back.ok()) << back.status();
    absl::StatusOr<std::string> again = SerializeIndex(*back);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(*again == *bytes) << "format " << static_cast<int>(format);
  }
  std::string note;
  absl::StatusOr<std::string> linktime =
      ExportSymbolTableBytes(reader, ProtoFormat::kBinary, {}, &note);
  ASSERT_TRUE(linktime.ok()) << linktime.status();
  proto::SymbolTable lt;
  ASSERT_TRUE(lt.ParseFromString(*linktime));
  EXPECT_EQ(lt.modules_size(), 0);  // runtime ranges only at runtime
  EXPECT_NE(note.find("module"), std::string::npos) << note;
}

// Of several symbols at one address of a module (module_exit()'s
// cleanup_module and the exit function it aliases), lookups name the first
// in the .ko's symtab, as kernel/module/kallsyms.c find_kallsyms_symbol
// does, even where the vmlinux alias rules would pick another.
TEST(DebianModulesTest, ModuleAliasesAreNamedByTheirSymtabOrder) {
  const Kernel& kernel = TheKernel();
  ASSERT_GE(kernel.modules.size(), 3u);
  BuildOutput out = Build(Make({"alias_order"}), /*lines=*/false);
  const std::unique_ptr<Symbolizer> read_back =
      testutil::SymbolizerOfBuilt(out.catalog);
  const Symbolizer& symbolizer = *read_back;
  size_t groups = 0, differ = 0;
  for (const Module& m : kernel.modules) {
    // Load address -> the module's symbols there, in symtab order.
    std::map<uint64_t, std::vector<const ElfSymbol*>> at;
    for (const ElfSymbol& s : m.symtab.symbols) {
      if (!Placed(s) || s.name[0] == '$' || absl::StartsWith(s.name, ".L")) {
        continue;
      }
      at[m.sections.at(s.section_name) + s.value].push_back(&s);
    }
    for (const auto& [address, syms] : at) {
      if (syms.size() < 2) continue;
      // Aliases proper: one extent, so only the order can decide.
      bool same = syms[0]->size > 0;
      const ElfSymbol* rules = syms[0];  // what the vmlinux rules pick
      for (const ElfSymbol* s : syms) {
        same = same && s->size == syms[0]->size;
        if (AliasOrderLess(s->nm_type, s->name, rules->nm_type, rules->name)) {
          rules = s;
        }
      }
      if (!same) continue;
      ++groups;
      differ += rules != syms[0];
      for (uint64_t a : {address, address + syms[0]->size - 1}) {
        const LookupResult r = symbolizer.Lookup(a);
        ASSERT_TRUE(r.found) << m.name << " 0x" << std::hex << a;
        EXPECT_EQ(r.symbol.name(), syms[0]->name)
            << m.name << ": the kernel names the first in the symtab";
      }
    }
  }
  // Every module with a module_exit() has such a pair (cleanup_module).
  EXPECT_GT(groups, 0u);
  EXPECT_GT(differ, 0u) << "no module where the symtab order matters";
}

// The same build after the modules were reloaded elsewhere: an index of the
// old layout marks the frames and never renames them.
TEST(DebianModulesTest, AStaleIndexNeverRenamesModuleFrames) {
  const Kernel& kernel = TheKernel();
  BuildOutput out = Build(Make({"stale"}));
  const std::unique_ptr<Symbolizer> read_back =
      testutil::SymbolizerOfBuilt(out.catalog);
  const Symbolizer& symbolizer = *read_back;
  Rewriter rewriter(symbolizer);
  constexpr uint64_t kShift = 0x3000;
  size_t lines = 0, marked = 0;
  for (const Module& m : kernel.modules) {
    for (const ElfSymbol& s : m.symtab.symbols) {
      if (!Placed(s) || s.nm_type != 't' || s.size < 8) continue;
      const uint64_t a = m.sections.at(s.section_name) + s.value + kShift;
      const std::string line = absl::StrFormat(
          " [<%016x>] %s+0x4/0x%x [%s]", a + 4, s.name, s.size, m.name);
      const std::string got = rewriter.RewriteLine(line);
      ++lines;
      // Kept as printed: unchanged (the address falls where the index has
      // nothing) or marked; never another name.
      EXPECT_EQ(got.substr(0, line.size()), line) << got;
      const bool mark = got.find(" (mismatch, index: ") != std::string::npos;
      EXPECT_TRUE(mark || got == line) << got;
      marked += mark;
    }
  }
  ASSERT_GT(lines, 0u);
  EXPECT_GT(marked, 0u);
  EXPECT_EQ(rewriter.stats().mismatched, marked);
}

}  // namespace
}  // namespace ksym
