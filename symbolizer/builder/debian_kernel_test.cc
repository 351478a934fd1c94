// End to end on a real distribution kernel: the Debian 6.1 cloud kernel's
// vmlinux (with DWARF) and System.map from its -dbg package and
// modules.builtin* from its image package, fetched by
// tools/fetch-debian-kernel.sh:
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_kernel_test
//
// Checks properties that hold for any kernel, without hard-coded counts.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/sources/modules_builtin.h"
#include "symbolizer/testing/debian_kernel.h"

namespace ksym {
namespace {

using ::ksym::testutil::DebianKernel;

absl::StatusOr<DebianKernel> FindKernel() {
  return testutil::FindDebianKernel("//symbolizer/builder:debian_kernel_test");
}

absl::string_view Stem(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash != absl::string_view::npos) path.remove_prefix(slash + 1);
  return path.substr(0, path.rfind('.'));
}

class DebianKernelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<DebianKernel> k = FindKernel();
    ASSERT_TRUE(k.ok()) << k.status().message();
    kernel_ = new DebianKernel(*k);
    BuildInputs in;
    in.vmlinux_path = k->vmlinux;
    in.system_map_path = k->system_map;
    in.modules_dir = k->modules_dir;
    absl::StatusOr<BuildOutput> out = BuildCatalog(in);
    ASSERT_TRUE(out.ok()) << out.status();
    out_ = new BuildOutput(*std::move(out));
    const AttributionStats& a = out_->attribution;
    const DisambiguationReport& r = out_->report;
    std::cout << k->vmlinux << ": " << a.symbols << " symbols, "
              << a.text_symbols << " text, " << a.text_with_object
              << " with an object, " << a.text_with_module
              << " with a module; duplicate names " << r.duplicate_names_before
              << ", after modules " << r.duplicate_names_after_modules
              << ", ambiguous " << r.ambiguous.size() << "\n";
    for (const std::string& n : out_->notes) std::cout << "note: " << n << "\n";
    for (const std::string& w : out_->warnings) {
      std::cout << "warning: " << w << "\n";
    }
    absl::StatusOr<std::string> bytes = SerializeIndex(out_->catalog);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    absl::StatusOr<std::unique_ptr<IndexReader>> reader =
        IndexReader::FromBuffer(*std::move(bytes), k->vmlinux,
                                {.verify_checksums = true});
    ASSERT_TRUE(reader.ok()) << reader.status();
    symbolizer_ = new Symbolizer(*std::move(reader));
  }
  void SetUp() override {
    ASSERT_NE(symbolizer_, nullptr) << "the index was not built";
  }

  static DebianKernel* kernel_;
  static BuildOutput* out_;
  static Symbolizer* symbolizer_;
};
DebianKernel* DebianKernelTest::kernel_;
BuildOutput* DebianKernelTest::out_;
Symbolizer* DebianKernelTest::symbolizer_;

TEST_F(DebianKernelTest, IdentityComesFromTheVmlinux) {
  const KernelIdentity& id = out_->catalog.identity;
  EXPECT_EQ(id.release, kernel_->release);
  EXPECT_EQ(id.arch, "x86_64");
  EXPECT_EQ(id.build_id.size(), 40u);
  EXPECT_EQ(id.address_space, AddressSpace::kStatic);
}

TEST_F(DebianKernelTest, QualifiedTextNamesAreUniqueExceptTheReportedOnes) {
  const Catalog& c = out_->catalog;
  absl::flat_hash_set<uint64_t> reported;
  for (const AmbiguousName& a : out_->report.ambiguous) {
    reported.insert(a.addresses.begin(), a.addresses.end());
  }
  absl::flat_hash_map<std::string, std::vector<uint64_t>> by_name;
  for (const Symbol& s : c.symbols) {
    if (IsTextType(s.type)) by_name[QualifiedName(c, s)].push_back(s.address);
  }
  size_t repeated = 0;
  for (const auto& [name, addresses] : by_name) {
    if (addresses.size() == 1) continue;
    ++repeated;
    for (uint64_t a : addresses) {
      EXPECT_TRUE(reported.contains(a)) << name << " at 0x" << std::hex << a;
    }
  }
  EXPECT_EQ(repeated, out_->report.ambiguous.size());
  // Real kernels repeat names; the build must have had work to do.
  EXPECT_GT(out_->report.duplicate_names_before, 0u);
  EXPECT_GT(out_->report.annotated_objects, 0u);
}

TEST_F(DebianKernelTest, LocalSymbolObjectsAgreeWithTheirStFile) {
  absl::StatusOr<ElfSymbolTable> table = ReadElfSymtabFile(kernel_->vmlinux);
  ASSERT_TRUE(table.ok()) << table.status();
  // (name, address) → STT_FILE name, for local symbols in one group only.
  absl::flat_hash_map<std::pair<std::string, uint64_t>, int32_t> file_of;
  for (const ElfSymbol& e : table->symbols) {
    if (e.file < 0) continue;
    auto [it, inserted] =
        file_of.emplace(std::make_pair(e.name, e.value), e.file);
    if (!inserted && it->second != e.file) it->second = -1;
  }
  const Catalog& c = out_->catalog;
  size_t compared = 0;
  for (const Symbol& s : c.symbols) {
    if (s.object == kNoObject) continue;
    auto it = file_of.find(std::make_pair(s.name, s.address));
    if (it == file_of.end() || it->second < 0) continue;
    ++compared;
    EXPECT_EQ(Stem(table->files[it->second]), Stem(c.objects[s.object].path))
        << s.name << " at 0x" << std::hex << s.address;
  }
  EXPECT_GT(compared, 0u);
  for (const std::string& w : out_->warnings) {
    EXPECT_FALSE(absl::StartsWith(w, "STT_FILE disagrees")) << w;
  }
}

TEST_F(DebianKernelTest, SingleObjectBuiltinModulesOwnTheirObjects) {
  absl::StatusOr<std::string> bytes =
      ReadFileToString(kernel_->modules_dir + "/modules.builtin.modinfo");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<BuiltinModinfo> modinfo =
      ParseModulesBuiltinModinfo(*bytes, "modules.builtin.modinfo");
  ASSERT_TRUE(modinfo.ok()) << modinfo.status();
  const Catalog& c = out_->catalog;
  absl::flat_hash_map<std::string, std::string> module_of_object;
  absl::flat_hash_set<std::string> builtin_modules;
  for (const auto& [module, file] : modinfo->module_files) {
    module_of_object[absl::StrCat(file, ".o")] = module;
    builtin_modules.insert(module);
  }
  size_t checked = 0;
  absl::flat_hash_set<std::string> modules_seen;
  for (const Symbol& s : c.symbols) {
    if (s.object == kNoObject) continue;
    auto it = module_of_object.find(c.objects[s.object].path);
    if (it == module_of_object.end()) continue;
    ++checked;
    modules_seen.insert(it->second);
    EXPECT_EQ(c.module_sets[s.module_set], std::vector<std::string>{it->second})
        << s.name << " in " << it->first;
  }
  EXPECT_GT(checked, 0u);
  // And no symbol outside them claims a module as a fact: every other
  // module set was inferred (multi-object modules of a distribution
  // kernel), is marked so, and names only modules that modinfo lists.
  size_t inferred = 0;
  for (const Symbol& s : c.symbols) {
    if (s.module_set == kNoModules) continue;
    ASSERT_NE(s.object, kNoObject) << s.name;
    const ObjectFile& object = c.objects[s.object];
    if (module_of_object.contains(object.path)) continue;
    EXPECT_NE(object.module_rule, 0) << s.name << " in " << object.path;
    for (const std::string& m : c.module_sets[s.module_set]) {
      EXPECT_TRUE(builtin_modules.contains(m)) << s.name << " [" << m << "]";
    }
    ++inferred;
  }
  std::cout << inferred << " symbols with an inferred built-in module\n";
  std::cout << modules_seen.size() << " single-object built-in modules\n";
}

TEST_F(DebianKernelTest, EverySystemMapTextSymbolIsIndexedAtItsAddress) {
  absl::StatusOr<std::string> text = ReadFileToString(kernel_->system_map);
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<KallsymsEntry>> map =
      ParseSystemMap(*text, kernel_->system_map);
  ASSERT_TRUE(map.ok()) << map.status();
  std::vector<SymbolInfo> all;
  size_t text_symbols = 0;
  for (const KallsymsEntry& e : *map) {
    if (!IsTextType(e.type)) continue;
    ++text_symbols;
    symbolizer_->LookupAll(e.address, &all);
    bool found = false;
    for (const SymbolInfo& s : all) {
      found |= s.address == e.address && s.name() == e.name && s.type == e.type;
    }
    EXPECT_TRUE(found) << e.name << " at 0x" << std::hex << e.address;
  }
  EXPECT_GT(text_symbols, 0u);
}

TEST_F(DebianKernelTest, IndexRoundTripsAddressesAndQualifiedNames) {
  absl::flat_hash_set<uint64_t> reported;
  for (const AmbiguousName& a : out_->report.ambiguous) {
    reported.insert(a.addresses.begin(), a.addresses.end());
  }
  const IndexReader& index = symbolizer_->index();
  ASSERT_EQ(index.symbol_count(), out_->catalog.symbols.size());
  for (uint32_t i = 0; i < index.symbol_count(); ++i) {
    SymbolInfo s = symbolizer_->Symbol(i);
    LookupResult r = symbolizer_->Lookup(s.address);
    if (!r.found && r.reason == NotFoundReason::kNotKernelAddress) {
      // Per-cpu offsets and absolute values lie below the kernel text.
      ASSERT_FALSE(IsTextType(s.type)) << s.name();
    } else {
      ASSERT_TRUE(r.found) << s.name();
      ASSERT_EQ(r.symbol.address, s.address) << s.name();
    }
    std::string qualified = symbolizer_->QualifiedName(s);
    absl::StatusOr<std::vector<Candidate>> c = symbolizer_->Resolve(qualified);
    ASSERT_TRUE(c.ok()) << qualified << ": " << c.status();
    bool listed = false;
    size_t same = 0;
    for (const Candidate& k : *c) {
      listed |= k.symbol.index == i;
      // Names are unique among text symbols of one module set: a variable
      // may share one (t watchdog, b watchdog), and a query without [mod]
      // also matches built-in module symbols (frontend_changed,
      // frontend_changed [xenbus_probe_frontend]).
      same += IsTextType(k.symbol.type) && k.symbol.module_set == s.module_set;
    }
    ASSERT_TRUE(listed) << qualified;
    if (IsTextType(s.type) && !reported.contains(s.address)) {
      ASSERT_EQ(same, 1u) << qualified;
    }
  }
}

// Of several symbols at one address, a lookup names the one the kernel's
// %pS names: the first of the group in kallsyms order, which
// scripts/kallsyms.c compare_symbols sorts from System.map's (nm -n) order:
// non-weak, then not a linker-script __start_/__stop_/_end name, then fewer
// leading underscores, then the System.map line order. Written here from
// the kernel's rule and the file's order, apart from alias_order.h.
TEST_F(DebianKernelTest, AliasesAreNamedAsTheKernelNamesThem) {
  absl::StatusOr<std::string> text = ReadFileToString(kernel_->system_map);
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<KallsymsEntry>> map =
      ParseSystemMap(*text, kernel_->system_map);
  ASSERT_TRUE(map.ok()) << map.status();
  auto provide = [](const std::string& n) {
    if (n.size() < 8 || n.compare(0, 2, "__") != 0) return false;
    return n.compare(2, 6, "start_") == 0 || n.compare(2, 5, "stop_") == 0 ||
           n.compare(2, 4, "end_") == 0 ||
           n.compare(n.size() - 6, 6, "_start") == 0 ||
           n.compare(n.size() - 4, 4, "_end") == 0;
  };
  auto first_is_better = [&](const KallsymsEntry& a, const KallsymsEntry& b) {
    const bool wa = a.type == 'w' || a.type == 'W';
    const bool wb = b.type == 'w' || b.type == 'W';
    if (wa != wb) return wb;
    if (provide(a.name) != provide(b.name)) return provide(b.name);
    const size_t ua = a.name.find_first_not_of('_');
    const size_t ub = b.name.find_first_not_of('_');
    return ua <= ub;  // equal: the earlier line stays first
  };
  size_t groups = 0, local = 0;
  for (size_t i = 0; i < map->size();) {
    size_t j = i;
    const KallsymsEntry* best = nullptr;
    for (; j < map->size() && (*map)[j].address == (*map)[i].address; ++j) {
      const KallsymsEntry& e = (*map)[j];
      if (e.type == 'A' || e.type == 'a') continue;  // kallsyms drops them
      if (best == nullptr || !first_is_better(*best, e)) best = &e;
    }
    const uint64_t address = (*map)[i].address;
    const size_t size = j - i;
    i = j;
    if (size < 2 || best == nullptr) continue;
    LookupResult r = symbolizer_->Lookup(address);
    if (!r.found) {
      ASSERT_EQ(r.reason, NotFoundReason::kNotKernelAddress) << best->name;
      continue;
    }
    ++groups;
    EXPECT_EQ(r.symbol.name(), best->name) << std::hex << address;
    // Where perf's rule (global first) would name another alias.
    local += r.symbol.type >= 'a' && r.symbol.type <= 'z';
  }
  std::cout << groups << " alias groups, " << local
            << " named by a local symbol\n";
  EXPECT_GT(groups, 0u);
}

}  // namespace
}  // namespace ksym
