// End to end on the synthetic kernel of testdata/synthetic, built by the
// test from C sources with the system toolchain: every combination of
// inputs must list exactly the /proc/kallmodsyms lines known by
// construction (expected_*.txt, with addresses from System.map), and the
// index must round-trip every qualified name.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

constexpr char kDir[] = "testdata/synthetic/";
constexpr uint64_t kSlide = 0x1c000000;

std::string Path(absl::string_view relative) {
  return absl::StrCat(kDir, relative);
}
const std::string kVmlinux = Path("build/vmlinux");
const std::string kSystemMap = Path("build/System.map");
const std::string kLinkerMap = Path("build/vmlinux.map");
const std::string kModules = Path("modules/6.1.0-synthetic");
const std::string kModinfoOnly = Path("modinfo-only/6.1.0-synthetic");
const std::string kRanges = Path("ranges");
const std::string kBuildDir = Path("build");

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::string TempFile(absl::string_view name, absl::string_view contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

// System.map in (address, name) order, the order of an index.
std::vector<KallsymsEntry> SystemMap() {
  absl::StatusOr<std::vector<KallsymsEntry>> e =
      ParseSystemMap(Read(kSystemMap), kSystemMap);
  EXPECT_TRUE(e.ok()) << e.status();
  std::vector<KallsymsEntry> v = e.ok() ? *e : std::vector<KallsymsEntry>();
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return std::tie(a.address, a.name) < std::tie(b.address, b.name);
  });
  return v;
}

// Per-CPU symbols are linked at 0 (below the kernel image); KASLR does not
// move them and /proc/kallsyms prints them as absolute.
bool IsPerCpu(uint64_t address) { return address < 0x8000000000000000; }

// The full kallmodsyms lines an expected_*.txt file stands for: its
// "TYPE NAME[\tSUFFIX]" lines with the System.map addresses, or as the
// running kernel would show them with a KASLR `slide`.
std::vector<std::string> ExpectedLines(absl::string_view file,
                                       uint64_t slide = 0) {
  std::vector<KallsymsEntry> map = SystemMap();
  std::vector<std::string> lines;
  size_t i = 0;
  for (absl::string_view line :
       absl::StrSplit(Read(Path(file)), '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    absl::string_view name = line.substr(2, line.find('\t') - 2);
    EXPECT_LT(i, map.size()) << file << ": more lines than System.map";
    if (i >= map.size()) break;
    EXPECT_EQ(line[0], map[i].type) << file << ": " << line;
    EXPECT_EQ(name, map[i].name) << file << ": " << line;
    if (slide != 0 && IsPerCpu(map[i].address)) {
      lines.push_back(
          absl::StrFormat("%016x A %s", map[i].address, line.substr(2)));
    } else {
      lines.push_back(
          absl::StrFormat("%016x %s", map[i].address + slide, line));
    }
    ++i;
  }
  EXPECT_EQ(i, map.size()) << file << ": fewer lines than System.map";
  return lines;
}

std::unique_ptr<Symbolizer> Open(const Catalog& catalog) {
  absl::StatusOr<std::string> bytes = SerializeIndex(catalog);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<IndexReader>> r = IndexReader::FromBuffer(
      *std::move(bytes), "synthetic", {.verify_checksums = true});
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  return std::make_unique<Symbolizer>(*std::move(r));
}

// `ksym list`: the kallmodsyms line of every indexed symbol.
std::vector<std::string> List(const Catalog& catalog) {
  std::unique_ptr<Symbolizer> s = Open(catalog);
  std::vector<std::string> lines;
  if (s == nullptr) return lines;
  for (uint32_t i = 0; i < s->index().symbol_count(); ++i) {
    lines.push_back(s->KallmodsymsLine(s->Symbol(i)));
  }
  return lines;
}

BuildOutput Build(const BuildInputs& in) {
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : BuildOutput();
}

struct Variant {
  const char* name;
  BuildInputs inputs;
  const char* expected;
};

std::vector<Variant> Variants() {
  std::vector<Variant> v;
  auto add = [&](const char* name, const char* expected, auto fill) {
    Variant variant{name, {}, expected};
    fill(variant.inputs);
    v.push_back(std::move(variant));
  };
  add("vmlinux, System.map, linker map, modules.builtin.objs",
      "expected_map.txt", [](BuildInputs& in) {
        in.vmlinux_path = kVmlinux;
        in.system_map_path = kSystemMap;
        in.linker_map_path = kLinkerMap;
        in.modules_dir = kModules;
      });
  add("vmlinux alone filtered as mksysmap, linker map, modules.builtin.objs",
      "expected_map.txt", [](BuildInputs& in) {
        in.vmlinux_path = kVmlinux;
        in.linker_map_path = kLinkerMap;
        in.modules_dir = kModules;
      });
  add("build tree: .cmd files and modules.builtin", "expected_map.txt",
      [](BuildInputs& in) { in.build_dir = kBuildDir; });
  add("vmlinux, linker map, modules.builtin.ranges", "expected_map.txt",
      [](BuildInputs& in) {
        in.vmlinux_path = kVmlinux;
        in.linker_map_path = kLinkerMap;
        in.modules_dir = kRanges;
      });
  add("System.map, linker map, modules.builtin.objs", "expected_map.txt",
      [](BuildInputs& in) {
        in.system_map_path = kSystemMap;
        in.linker_map_path = kLinkerMap;
        in.modules_dir = kModules;
      });
  add("vmlinux DWARF, modules.builtin.objs", "expected_dwarf.txt",
      [](BuildInputs& in) {
        in.vmlinux_path = kVmlinux;
        in.system_map_path = kSystemMap;
        in.modules_dir = kModules;
      });
  add("vmlinux DWARF, modules.builtin.modinfo only", "expected_modinfo.txt",
      [](BuildInputs& in) {
        in.vmlinux_path = kVmlinux;
        in.system_map_path = kSystemMap;
        in.modules_dir = kModinfoOnly;
      });
  return v;
}

TEST(SyntheticKernelTest, EveryVariantListsTheExpectedLines) {
  for (const Variant& v : Variants()) {
    SCOPED_TRACE(v.name);
    BuildOutput out = Build(v.inputs);
    EXPECT_EQ(List(out.catalog), ExpectedLines(v.expected));
    EXPECT_EQ(out.catalog.identity.address_space, AddressSpace::kStatic);
    EXPECT_EQ(out.catalog.identity.release, "6.1.0-synthetic");
  }
}

TEST(SyntheticKernelTest, LinkerMapBuildReportsCoverageAndTheLdRGroup) {
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.system_map_path = kSystemMap;
  in.linker_map_path = kLinkerMap;
  in.modules_dir = kModules;
  BuildOutput out = Build(in);
  const AttributionStats& a = out.attribution;
  EXPECT_EQ(a.symbols, 57u);
  EXPECT_EQ(a.text_symbols, 41u);
  // Only _etext, after the last object, has none.
  EXPECT_EQ(a.text_with_object, 40u);
  // ext4 5, binfmt_elf 2, compat_binfmt_elf 2, liquidio* 9.
  EXPECT_EQ(a.text_with_module, 18u);
  // All but the end markers _etext, __per_cpu_end, _edata, __bss_stop and
  // _end, which no input section covers.
  EXPECT_EQ(a.object_from[static_cast<size_t>(FactSource::kLinkerMap)], 52u);
  EXPECT_EQ(a.module_from[static_cast<size_t>(FactSource::kModulesBuiltinObjs)],
            18u);

  const DisambiguationReport& r = out.report;
  // init_once show_state ext4_helper padzero load_elf_binary lio_probe
  // mbox_thread hyp_helper; module sets split padzero, load_elf_binary and
  // lio_probe.
  EXPECT_EQ(r.duplicate_names_before, 8u);
  EXPECT_EQ(r.duplicate_names_after_modules, 5u);
  ASSERT_EQ(r.ambiguous.size(), 1u);
  EXPECT_EQ(r.ambiguous[0].qualified, "hyp_helper");
  EXPECT_EQ(r.ambiguous[0].reason,
            "same object arch/x86/hyp/hyp.o (pre-linked with ld -r?)");
  EXPECT_EQ(r.ambiguous[0].addresses.size(), 2u);

  EXPECT_EQ(out.warnings,
            std::vector<std::string>{
                "STT_FILE disagrees with the object of 2 local symbols: "
                "hyp_helper (hyp_a.c) in arch/x86/hyp/hyp.o, hyp_helper "
                "(hyp_b.c) in arch/x86/hyp/hyp.o"});
  const KernelIdentity& id = out.catalog.identity;
  EXPECT_EQ(id.arch, "x86_64");
  EXPECT_EQ(id.build_id + "\n", Read(Path("build_id")));
  EXPECT_EQ(id.kaslr_offset, 0);
}

TEST(SyntheticKernelTest, DwarfSeparatesTheLdRMembers) {
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.system_map_path = kSystemMap;
  in.modules_dir = kModules;
  BuildOutput out = Build(in);
  EXPECT_TRUE(out.report.ambiguous.empty());
  EXPECT_TRUE(out.warnings.empty()) << out.warnings[0];
  // Local data follows its STT_FILE group's object: nr_running in .bss of
  // kernel/sched/core.o and .data of lib/string.o.
  std::vector<std::string> objects;
  for (const Symbol& s : out.catalog.symbols) {
    if (s.name == "nr_running" || s.name == "inodes") {
      ASSERT_NE(s.object, kNoObject) << s.name;
      objects.push_back(out.catalog.objects[s.object].path);
    }
  }
  EXPECT_EQ(objects, (std::vector<std::string>{
                         "lib/string.o", "kernel/sched/core.o", "fs/inode.o"}));
  EXPECT_EQ(
      out.attribution.object_from[static_cast<size_t>(FactSource::kStFile)],
      4u);  // nr_running twice, nr_qdiscs, inodes
}

TEST(SyntheticKernelTest, ModinfoAloneNamesTheModulesItCannotPlace) {
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.modules_dir = kModinfoOnly;
  BuildOutput out = Build(in);
  EXPECT_EQ(
      out.attribution
          .module_from[static_cast<size_t>(FactSource::kModulesBuiltinModinfo)],
      4u);  // padzero and load_elf_binary, twice
  EXPECT_EQ(out.warnings,
            std::vector<std::string>{
                "2 multi-object built-in modules have no object the "
                "inference could name; their symbols get no [module]: "
                "liquidio, liquidio_vf"});
}

TEST(SyntheticKernelTest, EveryQualifiedNameResolvesToItsSymbol) {
  BuildInputs in;
  in.build_dir = kBuildDir;
  BuildOutput out = Build(in);
  std::unique_ptr<Symbolizer> s = Open(out.catalog);
  ASSERT_NE(s, nullptr);
  size_t ambiguous = 0;
  for (uint32_t i = 0; i < s->index().symbol_count(); ++i) {
    SymbolInfo info = s->Symbol(i);
    LookupResult r = s->Lookup(info.address);
    if (!r.found && r.reason == NotFoundReason::kNotKernelAddress) {
      // Per-cpu offsets and absolute values lie below the kernel text.
      EXPECT_FALSE(IsTextType(info.type)) << info.name();
    } else {
      ASSERT_TRUE(r.found) << info.name();
      EXPECT_EQ(r.symbol.address, info.address);
    }
    absl::StatusOr<std::vector<Candidate>> c =
        s->Resolve(s->QualifiedName(info));
    ASSERT_TRUE(c.ok()) << c.status();
    bool listed = false;
    for (const Candidate& k : *c) listed |= k.symbol.index == i;
    EXPECT_TRUE(listed) << s->QualifiedName(info);
    if (IsTextType(info.type) && c->size() != 1) {
      ++ambiguous;
      EXPECT_EQ(info.name(), "hyp_helper");
    }
  }
  EXPECT_EQ(ambiguous, 2u);
}

// /proc/kallsyms of the synthetic kernel booted with a KASLR slide and a
// loadable module: per-CPU symbols absolute, at their link-time offsets.
std::string Kallsyms() {
  std::string text;
  for (const KallsymsEntry& e : SystemMap()) {
    if (IsPerCpu(e.address)) {
      absl::StrAppendFormat(&text, "%016x A %s\n", e.address, e.name);
    } else {
      absl::StrAppendFormat(&text, "%016x %c %s\n", e.address + kSlide, e.type,
                            e.name);
    }
  }
  absl::StrAppend(&text,
                  "ffffffffc0a01000 t init_once\t[nfs]\n"
                  "ffffffffc0a01040 T nfs_fill_super\t[nfs]\n"
                  "ffffffffc0a03000 d nfs_data\t[nfs]\n");
  return text;
}

const std::vector<std::string> kModuleLines = {
    "ffffffffc0a01000 t init_once\t[nfs]",
    "ffffffffc0a01040 T nfs_fill_super\t[nfs]",
    "ffffffffc0a03000 d nfs_data\t[nfs]",
};

TEST(SyntheticKernelTest, RuntimeIndexMovesByTheSlideAndAddsModules) {
  std::string kallsyms = TempFile("kallsyms", Kallsyms());
  std::vector<std::string> want = ExpectedLines("expected_map.txt", kSlide);
  want.insert(want.end(), kModuleLines.begin(), kModuleLines.end());
  for (bool vmlinux : {true, false}) {
    SCOPED_TRACE(vmlinux ? "vmlinux" : "System.map");
    BuildInputs in;
    in.kallsyms_path = kallsyms;
    if (vmlinux) {
      in.vmlinux_path = kVmlinux;
    } else {
      in.system_map_path = kSystemMap;
    }
    in.linker_map_path = kLinkerMap;
    in.modules_dir = kModules;
    BuildOutput out = Build(in);
    EXPECT_EQ(List(out.catalog), want);
    EXPECT_EQ(out.catalog.identity.address_space, AddressSpace::kRuntime);
    EXPECT_EQ(out.catalog.identity.kaslr_offset, kSlide);
    EXPECT_NE(std::find(out.notes.begin(), out.notes.end(),
                        "KASLR offset 0x1c000000 (from _text)"),
              out.notes.end());
  }
}

TEST(SyntheticKernelTest, VmlinuxOfAnotherKernelIsRefused) {
  BuildInputs in;
  in.kallsyms_path = TempFile("kallsyms", Kallsyms());
  in.vmlinux_path = kVmlinux;
  in.identity_given = true;
  in.identity.build_id = "00112233";
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  std::string id = Read(Path("build_id"));
  id.pop_back();
  EXPECT_EQ(out.status().message(),
            absl::StrCat(kVmlinux, " has build-id ", id,
                         " but the running kernel's is 00112233 (the given "
                         "identity): give the vmlinux of the running kernel "
                         "(its -dbg package)"));
}

TEST(SyntheticKernelTest, SystemMapOfAnotherBuildIsRefused) {
  // schedule moved by 0x10: System.map and vmlinux are not one build.
  std::string map = Read(kSystemMap);
  size_t at = map.find(" T schedule\n");
  ASSERT_NE(at, std::string::npos);
  std::string address = map.substr(at - 16, 16);
  uint64_t moved = std::stoull(address, nullptr, 16) + 0x10;
  map.replace(at - 16, 16, absl::StrFormat("%016x", moved));
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.system_map_path = TempFile("System.map", map);
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            absl::StrCat(in.system_map_path, " does not match ", kVmlinux,
                         ": 1 of its text symbols are not in the vmlinux at "
                         "the same address (schedule at 0x",
                         absl::Hex(moved), "); are they from the same build?"));
}

TEST(SyntheticKernelTest, KallsymsOfAnotherBuildIsRefused) {
  // Every text symbol but the anchors moved: another build. Of the 41 text
  // symbols 22 have a unique name, 2 of them the anchors _text and _stext.
  std::string text;
  for (const KallsymsEntry& e : SystemMap()) {
    bool anchor = e.name == "_text" || e.name == "_stext";
    absl::StrAppendFormat(&text, "%016x %c %s\n",
                          e.address + kSlide + (anchor ? 0 : 0x40), e.type,
                          e.name);
  }
  BuildInputs in;
  in.kallsyms_path = TempFile("kallsyms-other", text);
  in.vmlinux_path = kVmlinux;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(out.status().message()),
            "vmlinux does not match kallsyms: 20 of 22 text symbols disagree "
            "after the KASLR offset (entry_SYSCALL_64 is at "
            "0xffffffff9d000040, vmlinux says 0xffffffff81000000); is it the "
            "vmlinux of the running kernel?");
}

TEST(SyntheticKernelTest, DebianPlaceholderSystemMapIsNamed) {
  BuildInputs in;
  in.system_map_path =
      TempFile("System.map-placeholder",
               "ffffffffffffffff B The real System.map is in the "
               "linux-image-<version>-dbg package\n");
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            absl::StrCat(in.system_map_path,
                         ": a placeholder, not a symbol map (Debian ships the "
                         "real System.map in the linux-image-RELEASE-dbg "
                         "package)"));
}

TEST(SyntheticKernelTest, MissingDirectoriesAreNotFound) {
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.modules_dir = Path("no-such-dir");
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      out.status().message(),
      absl::StrCat(in.modules_dir, ": no such directory (--modules-dir)"));

  in.modules_dir = Path("build/init");  // exists, holds no modules.builtin*
  out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(),
            absl::StrCat(in.modules_dir,
                         ": no modules.builtin, modules.builtin.modinfo, "
                         "modules.builtin.objs or modules.builtin.ranges "
                         "(expected a /lib/modules/RELEASE directory)"));

  in.modules_dir.clear();
  in.build_dir = Path("no-such-build");
  out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(),
            absl::StrCat(in.build_dir, ": no such directory (--build-dir)"));
}

TEST(SyntheticKernelTest, ProgressNamesTheSlowSteps) {
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.modules_dir = kModules;
  std::vector<std::string> steps;
  absl::StatusOr<BuildOutput> out =
      BuildCatalog(in, [&](uint64_t, uint64_t, absl::string_view what) {
        steps.emplace_back(what);
      });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(steps,
            (std::vector<std::string>{
                absl::StrCat("reading symbols of ", kVmlinux),
                absl::StrCat("reading DWARF compile units of ", kVmlinux),
                "attributing objects",
                "attributing modules",
                absl::StrCat("reading source lines of ", kVmlinux),
                "sorting",
                "disambiguating",
            }));
}

// The vmlinux's DWARF gives the index its line table by default, with a
// source record saying where it came from; --no-lines leaves it out and
// the record says why.
TEST(SyntheticKernelTest, LinesByDefaultAndNotWithNoLines) {
  BuildInputs in;
  in.vmlinux_path = kVmlinux;
  in.modules_dir = kModules;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_NE(out->catalog.lines, nullptr);
  EXPECT_FALSE(out->catalog.lines->functions.empty());
  auto record = [](const Catalog& c) {
    for (const InputSource& s : c.sources) {
      if (s.what == "line tables") return s;
    }
    return InputSource{};
  };
  EXPECT_EQ(record(out->catalog).state, SourceState::kFound);
  EXPECT_EQ(record(out->catalog).path, kVmlinux);

  in.lines = false;
  out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->catalog.lines, nullptr);
  EXPECT_EQ(record(out->catalog).state, SourceState::kMissing);
  EXPECT_EQ(record(out->catalog).why, "not read: built with --no-lines");
}

}  // namespace
}  // namespace ksym
