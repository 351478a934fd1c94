// End to end on a real distribution kernel: the Debian 6.1 cloud kernel's
// vmlinux (with DWARF) and System.map from its -dbg package and
// modules.builtin* from its image package, fetched by
// tools/fetch-debian-kernel.sh:
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_kernel_test
//
// Checks properties that hold for any kernel, without hard-coded counts.
// The same test runs on the arm64 cloud kernel as
// //symbolizer/builder:debian_arm64_test (built with KSYM_DEBIAN_ARM64):
//
//   KSYM_DEBIAN_ARM64_KERNEL=$(tools/fetch-debian-kernel.sh --arch arm64) \
//     bazel test --test_env=KSYM_DEBIAN_ARM64_KERNEL \
//     //symbolizer/builder:debian_arm64_test
#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "proto/convert.h"
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
#ifdef KSYM_DEBIAN_ARM64
  return testutil::FindDebianKernel("//symbolizer/builder:debian_arm64_test",
                                    testutil::kDebianArm64);
#else
  return testutil::FindDebianKernel("//symbolizer/builder:debian_kernel_test");
#endif
}

absl::string_view Stem(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash != absl::string_view::npos) path.remove_prefix(slash + 1);
  return path.substr(0, path.rfind('.'));
}

// An STT_FILE name's stem. arm64 renames the symbols of the nVHE KVM, pi
// and EFI stub objects with `objcopy --prefix-symbols`, their STT_FILE
// entries included ("__kvm_nvhe_hyp-init.nvhe.o" is hyp-init.o's).
std::string FileStem(absl::string_view file) {
  std::string stem(Stem(file));
  for (const char* prefix : {"__kvm_nvhe_", "__pi_", "__efistub_"}) {
    if (absl::StartsWith(stem, prefix)) {
      stem = stem.substr(strlen(prefix));
      for (const char* suffix : {".nvhe", ".pi", ".stub"}) {
        if (absl::EndsWith(stem, suffix)) {
          stem.resize(stem.size() - strlen(suffix));
        }
      }
    }
  }
  return stem;
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
  EXPECT_EQ(id.arch, kernel_->arch);
  EXPECT_EQ(id.build_id.size(), 40u);
  EXPECT_EQ(id.address_space, AddressSpace::kStatic);
}

TEST_F(DebianKernelTest, QualifiedTextNamesAreUniqueExceptTheReportedOnes) {
  const Catalog& c = out_->catalog;
  absl::flat_hash_set<uint64_t> reported;
  size_t reported_text = 0;
  for (const AmbiguousName& a : out_->report.ambiguous) {
    if (a.kind != NameKind::kText) continue;  // debian_data_names_test
    ++reported_text;
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
  EXPECT_EQ(repeated, reported_text);
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
    EXPECT_EQ(FileStem(table->files[it->second]),
              Stem(c.objects[s.object].path))
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
  size_t reported_text = 0;
  for (const AmbiguousName& a : out_->report.ambiguous) {
    if (a.kind != NameKind::kText) continue;  // debian_data_names_test
    ++reported_text;
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
      // Printed names are unique among text symbols of one module set: a
      // variable may share one (t watchdog, b watchdog), a query without
      // [mod] also matches built-in module symbols (frontend_changed,
      // frontend_changed [xenbus_probe_frontend]), and one without {obj}
      // the same name in an object (arm64: set_permissions of efi.c, whose
      // .init.text no DWARF covers, and set_permissions {ucount.o}).
      same += IsTextType(k.symbol.type) &&
              k.symbol.module_set == s.module_set &&
              symbolizer_->QualifiedName(k.symbol) == qualified;
    }
    ASSERT_TRUE(listed) << qualified;
    if (IsTextType(s.type) && !reported.contains(s.address)) {
      ASSERT_EQ(same, 1u) << qualified;
      // And the name as printed selects it alone.
      absl::StatusOr<Candidate> unique = symbolizer_->ResolveUnique(qualified);
      ASSERT_TRUE(unique.ok()) << qualified << ": " << unique.status();
      ASSERT_EQ(unique->symbol.index, i) << qualified;
    }
  }
}

// A trace tool ships the table with a trace: the static index with the
// vmlinux's line section goes through the proto (SymbolTable.lines) and
// back byte for byte, in every format.
TEST_F(DebianKernelTest, IndexWithLinesRoundTripsThroughTheProto) {
  const IndexReader& index = symbolizer_->index();
  ASSERT_TRUE(index.lines().present()) << "built without lines";
  absl::StatusOr<std::string> bytes = SerializeIndex(out_->catalog);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  for (ProtoFormat format :
       {ProtoFormat::kBinary, ProtoFormat::kTextProto, ProtoFormat::kJson}) {
    std::string note;
    absl::StatusOr<std::string> table =
        ExportSymbolTableBytes(index, format, {}, &note);
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_EQ(note, "");  // nothing left out
    absl::StatusOr<Catalog> back =
        ImportSymbolTableBytes(*table, format, "debian.pb");
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_NE(back->lines, nullptr);
    EXPECT_EQ(back->lines->functions.size(), index.lines().function_count());
    absl::StatusOr<std::string> again = SerializeIndex(*back);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(*again == *bytes) << "format " << static_cast<int>(format)
                                  << ": " << again->size() << " bytes, not "
                                  << bytes->size();
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

// scripts/kallsyms.c (6.1) is_ignored_symbol()'s names: mapping symbols,
// assembler locals, arm64's EFI stub and nVHE locals, linker thunks, KCFI
// type ids.
bool KallsymsIgnoresName(absl::string_view name) {
  constexpr absl::string_view kIgnoredPrefixes[] = {
      "$",  ".L", "__efistub_", "__kvm_nvhe_$", "__kvm_nvhe_.L",
      "__AArch64ADRPThunk_", "__ARMV5PILongThunk_", "__ARMV7PILongThunk_",
      "__ThumbV7PILongThunk_", "__LA25Thunk_", "__microLA25Thunk_",
      "__kcfi_typeid_"};
  for (absl::string_view p : kIgnoredPrefixes) {
    if (absl::StartsWith(name, p)) return true;
  }
  return false;
}

// Every System.map symbol the kernel's kallsyms keeps is in the index, of
// every type, at its address with its type. The kernel's rule, written
// here from scripts/kallsyms.c (6.1) is_ignored_symbol(): no U/N types, no
// absolute symbols, no names KallsymsIgnoresName. System.map is read with string splitting only; a name with a
// control byte (arm64 nVHE local labels: "__kvm_nvhe_.L14472\x02" "1") is
// one of the nVHE locals.
TEST_F(DebianKernelTest, EverySymbolTheKernelKeepsIsIndexed) {
  absl::StatusOr<std::string> text = ReadFileToString(kernel_->system_map);
  ASSERT_TRUE(text.ok()) << text.status();
  size_t kept = 0, left_out = 0;
  absl::flat_hash_map<char, size_t> by_type;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() != 3 || f[1].size() != 1) continue;
    uint64_t address = 0;
    ASSERT_TRUE(absl::SimpleHexAtoi(f[0], &address)) << line;
    const char type = f[1][0];
    const absl::string_view name = f[2];
    if (type == 'U' || type == 'N' || type == 'A' || type == 'a' ||
        KallsymsIgnoresName(name)) {
      ++left_out;
      continue;
    }
    for (char c : name) {
      ASSERT_GT(static_cast<unsigned char>(c), ' ') << "a kept name " << name;
    }
    ++kept;
    ++by_type[type];
    Query q;
    q.name = std::string(name);
    bool found = false;
    for (const Candidate& c : symbolizer_->Resolve(q)) {
      found |= c.symbol.address == address && c.symbol.type == type;
    }
    EXPECT_TRUE(found) << type << " " << name << " at 0x" << std::hex
                       << address;
  }
  std::cout << kept << " System.map symbols kallsyms keeps, " << left_out
            << " it leaves out\n";
  EXPECT_GT(kept, 0u);
  // Text, data, read-only and bss symbols all occur in any kernel.
  for (char t : {'T', 't', 'D', 'd', 'R', 'r', 'B', 'b'}) {
    EXPECT_GT(by_type[t], 0u) << t;
  }
}

// Of functions sampled across the vmlinux (ELF STT_FUNC the kernel's
// kallsyms keeps, an address inside each), `lookup` names the function llvm-symbolizer names from the
// DWARF: its name, without the compiler's clone suffix (.isra.0,
// .constprop.0, .part.0, .cold), or the name of an alias at the start ksym
// chose. llvm-symbolizer reads any architecture.
TEST_F(DebianKernelTest, LookupAgreesWithLlvmSymbolizer) {
  absl::StatusOr<ElfSymbolTable> table = ReadElfSymtabFile(kernel_->vmlinux);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->arch, kernel_->arch);
  std::vector<const ElfSymbol*> functions;
  for (const ElfSymbol& e : table->symbols) {
    if (e.type == STT_FUNC && e.size >= 8 &&
        (e.section_flags & SHF_EXECINSTR) != 0 &&
        !KallsymsIgnoresName(e.name)) {
      functions.push_back(&e);
    }
  }
  ASSERT_GT(functions.size(), 1000u);
  std::sort(functions.begin(), functions.end(),
            [](const ElfSymbol* a, const ElfSymbol* b) {
              return a->value < b->value;
            });
  constexpr size_t kSamples = 400;
  std::vector<uint64_t> addresses;
  for (size_t i = 0; i < kSamples; ++i) {
    const ElfSymbol* e = functions[i * functions.size() / kSamples];
    addresses.push_back(e->value + ((e->size / 2) & ~uint64_t{3}));
  }
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string input = absl::StrCat(tmp ? tmp : "/tmp", "/addresses");
  {
    std::ofstream out(input);
    for (uint64_t a : addresses) out << "0x" << std::hex << a << "\n";
  }
  const std::string command =
      absl::StrCat("llvm-symbolizer --no-inlines --functions=linkage --obj=",
                   kernel_->vmlinux, " < ", input);
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << command;
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << command << " (is llvm installed?)";
  // One block per address: FUNCTION, FILE:LINE:COLUMN, an empty line.
  std::vector<std::string> lines = absl::StrSplit(output, '\n');
  std::vector<std::string> names;
  for (size_t i = 0; i + 1 < lines.size(); i += 3) names.push_back(lines[i]);
  ASSERT_EQ(names.size(), addresses.size()) << output.substr(0, 500);
  auto base = [](absl::string_view name) {
    return std::string(name.substr(0, name.find('.')));
  };
  size_t compared = 0, agreed = 0;
  std::vector<SymbolInfo> all;
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (names[i] == "??") continue;  // no DWARF (assembly)
    ++compared;
    LookupResult r = symbolizer_->Lookup(addresses[i]);
    ASSERT_TRUE(r.found) << std::hex << addresses[i];
    symbolizer_->LookupAll(r.symbol.address, &all);
    bool same = base(r.symbol.name()) == base(names[i]);
    for (const SymbolInfo& s : all) {
      same |= s.address == r.symbol.address && base(s.name()) == base(names[i]);
    }
    agreed += same;
    EXPECT_TRUE(same) << "0x" << std::hex << addresses[i] << ": ksym "
                      << r.symbol.name() << ", llvm-symbolizer " << names[i];
  }
  std::cout << agreed << " of " << compared
            << " sampled function addresses named as llvm-symbolizer names "
               "them\n";
  EXPECT_GT(compared, kSamples / 2);
}

}  // namespace
}  // namespace ksym
