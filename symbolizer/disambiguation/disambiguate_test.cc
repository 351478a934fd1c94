#include "symbolizer/disambiguation/disambiguate.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Adds a symbol; `object` empty means unattributed.
void Add(Catalog& catalog, uint64_t address, char type, const char* name,
         std::vector<std::string> modules = {}, const char* object = "") {
  Symbol s;
  s.address = address;
  s.type = type;
  s.name = name;
  s.module_set = catalog.InternModuleSet(std::move(modules));
  if (*object != '\0') s.object = catalog.InternObject(object);
  catalog.symbols.push_back(s);
}

// One /proc/kallmodsyms line.
std::string Line(const Catalog& catalog, const Symbol& s) {
  char head[64];
  std::snprintf(head, sizeof(head), "%016" PRIx64 " %c ", s.address, s.type);
  return absl::StrCat(head, s.name, KallmodsymsSuffix(catalog, s));
}

const Symbol& Find(const Catalog& catalog, uint64_t address) {
  for (const Symbol& s : catalog.symbols) {
    if (s.address == address) return s;
  }
  ADD_FAILURE() << "no symbol at " << address;
  return catalog.symbols.front();
}

std::string AnnotationOf(const Catalog& catalog, const char* path,
                         NameKind kind = NameKind::kText) {
  for (const ObjectFile& o : catalog.objects) {
    if (o.path == path) return o.Annotation(kind);
  }
  ADD_FAILURE() << "no object " << path;
  return "";
}

TEST(DisambiguateTest, CoverLetterExamples) {
  Catalog catalog;
  Add(catalog, 0xffffffffa6007630, 't', "rapl_cpu_offline", {"rapl"},
      "arch/x86/events/rapl.o");
  Add(catalog, 0xffffffffa6007710, 't', "amd_pmu_event_map", {},
      "arch/x86/events/amd/core.o");
  Add(catalog, 0xffffffffa6031200, 't', "amd_pmu_event_map", {},
      "arch/x86/kvm/svm/pmu.o");
  Add(catalog, 0xffffffff97d82520, 't', "lio_ethtool_get_channels",
      {"liquidio_vf", "liquidio"},
      "drivers/net/ethernet/cavium/liquidio/lio_ethtool.o");
  Add(catalog, 0xffffffff97d91a80, 't', "cn23xx_vf_mbox_thread",
      {"liquidio", "liquidio_vf"},
      "drivers/net/ethernet/cavium/liquidio/cn23xx_vf_device.o");
  Add(catalog, 0xffffffff97d87000, 't', "cn23xx_vf_mbox_thread",
      {"liquidio", "liquidio_vf"},
      "drivers/net/ethernet/cavium/liquidio/cn23xx_pf_device.o");

  DisambiguationReport report = Disambiguate(catalog);

  EXPECT_EQ(Line(catalog, catalog.symbols[0]),
            "ffffffffa6007630 t rapl_cpu_offline\t[rapl]");
  EXPECT_EQ(Line(catalog, catalog.symbols[1]),
            "ffffffffa6007710 t amd_pmu_event_map\t{core.o}");
  EXPECT_EQ(Line(catalog, catalog.symbols[2]),
            "ffffffffa6031200 t amd_pmu_event_map\t{pmu.o}");
  EXPECT_EQ(Line(catalog, catalog.symbols[3]),
            "ffffffff97d82520 t lio_ethtool_get_channels\t[liquidio] "
            "[liquidio_vf]");
  EXPECT_EQ(Line(catalog, catalog.symbols[4]),
            "ffffffff97d91a80 t cn23xx_vf_mbox_thread\t[liquidio] "
            "[liquidio_vf] {cn23xx_vf_device.o}");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[4]),
            "cn23xx_vf_mbox_thread [liquidio] [liquidio_vf] "
            "{cn23xx_vf_device.o}");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[0]),
            "rapl_cpu_offline [rapl]");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[1]),
            "amd_pmu_event_map {core.o}");
  EXPECT_EQ(report.duplicate_names_before, 2u);
  EXPECT_EQ(report.duplicate_names_after_modules, 2u);
  EXPECT_EQ(report.annotated_objects, 4u);
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, UniqueCoreSymbolHasEmptySuffix) {
  Catalog catalog;
  Add(catalog, 0x1000, 'T', "start_kernel", {}, "init/main.o");
  Disambiguate(catalog);
  EXPECT_EQ(KallmodsymsSuffix(catalog, catalog.symbols[0]), "");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[0]), "start_kernel");
  EXPECT_EQ(AnnotationOf(catalog, "init/main.o"), "");
}

TEST(DisambiguateTest, ThreeLevelSuffixes) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "init_once", {}, "kernel/sched/core.o");
  Add(catalog, 0x200, 't', "init_once", {}, "arch/x86/events/core.o");
  Add(catalog, 0x300, 't', "init_once", {}, "drivers/x/sched/core.o");
  DisambiguationReport report = Disambiguate(catalog);
  // sched/core.o would select both kernel/sched/core.o and
  // drivers/x/sched/core.o, so both go one level further.
  EXPECT_EQ(AnnotationOf(catalog, "kernel/sched/core.o"),
            "kernel/sched/core.o");
  EXPECT_EQ(AnnotationOf(catalog, "arch/x86/events/core.o"), "events/core.o");
  EXPECT_EQ(AnnotationOf(catalog, "drivers/x/sched/core.o"), "x/sched/core.o");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[2]),
            "init_once {x/sched/core.o}");
  EXPECT_EQ(report.annotated_objects, 3u);
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, SingleComponentSufficesWhenBasenamesDiffer) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "type_show", {}, "drivers/base/cpu.o");
  Add(catalog, 0x200, 't', "type_show", {}, "drivers/md/md.o");
  Disambiguate(catalog);
  EXPECT_EQ(AnnotationOf(catalog, "drivers/base/cpu.o"), "cpu.o");
  EXPECT_EQ(AnnotationOf(catalog, "drivers/md/md.o"), "md.o");
}

TEST(DisambiguateTest, PathThatIsASuffixOfAnotherGetsItsFullPath) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "f", {}, "sched/core.o");
  Add(catalog, 0x200, 't', "f", {}, "kernel/sched/core.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(AnnotationOf(catalog, "sched/core.o"), "sched/core.o");
  EXPECT_EQ(AnnotationOf(catalog, "kernel/sched/core.o"),
            "kernel/sched/core.o");
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, AbsolutePathsLengthenToTheLeadingSlash) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "f", {}, "/b/x.o");
  Add(catalog, 0x200, 't', "f", {}, "/a/b/x.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(AnnotationOf(catalog, "/b/x.o"), "/b/x.o");
  EXPECT_EQ(AnnotationOf(catalog, "/a/b/x.o"), "a/b/x.o");
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, WholeObjectCarriesAnnotationOfItsKind) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "init_once", {}, "fs/inode.o");
  Add(catalog, 0x200, 't', "init_once", {}, "mm/slab.o");
  Add(catalog, 0x180, 'T', "inode_init_once", {}, "fs/inode.o");
  Add(catalog, 0x190, 'W', "weak_in_inode", {}, "fs/inode.o");
  Add(catalog, 0x900, 'd', "inode_data", {}, "fs/inode.o");
  Add(catalog, 0x980, 'r', "inode_rodata", {"ext4"}, "fs/inode.o");
  Add(catalog, 0x300, 't', "unrelated", {}, "kernel/fork.o");
  Disambiguate(catalog);
  EXPECT_EQ(Line(catalog, Find(catalog, 0x180)),
            "0000000000000180 T inode_init_once\t{inode.o}");
  EXPECT_EQ(Line(catalog, Find(catalog, 0x190)),
            "0000000000000190 W weak_in_inode\t{inode.o}");
  // A text collision annotates the object for its text symbols only...
  EXPECT_EQ(Line(catalog, Find(catalog, 0x900)),
            "0000000000000900 d inode_data");
  EXPECT_EQ(AnnotationOf(catalog, "fs/inode.o", NameKind::kData), "");
  // ...and every symbol shows its modules, built-in or loadable.
  EXPECT_EQ(Line(catalog, Find(catalog, 0x980)),
            "0000000000000980 r inode_rodata\t[ext4]");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0x980)),
            "inode_rodata [ext4]");
  EXPECT_EQ(Line(catalog, Find(catalog, 0x300)),
            "0000000000000300 t unrelated");
}

TEST(DisambiguateTest, ObjectTakesTheLongestSuffixAnyGroupNeeds) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "a", {}, "kernel/sched/core.o");
  Add(catalog, 0x200, 't', "a", {}, "arch/x86/events/core.o");
  Add(catalog, 0x300, 't', "b", {}, "kernel/sched/core.o");
  Add(catalog, 0x400, 't', "b", {}, "drivers/x/sched/core.o");
  Add(catalog, 0x500, 't', "c", {}, "kernel/sched/core.o");
  Add(catalog, 0x600, 't', "c", {}, "mm/slub.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(AnnotationOf(catalog, "kernel/sched/core.o"),
            "kernel/sched/core.o");
  EXPECT_EQ(AnnotationOf(catalog, "arch/x86/events/core.o"), "events/core.o");
  EXPECT_EQ(AnnotationOf(catalog, "drivers/x/sched/core.o"), "x/sched/core.o");
  EXPECT_EQ(AnnotationOf(catalog, "mm/slub.o"), "slub.o");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0x500)),
            "c {kernel/sched/core.o}");
  EXPECT_EQ(report.duplicate_names_before, 3u);
  EXPECT_EQ(report.annotated_objects, 4u);
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, ModulesAloneCanDisambiguate) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "init_once", {"ext4"}, "fs/ext4/super.o");
  Add(catalog, 0x200, 't', "init_once", {"xfs"}, "fs/xfs/xfs_super.o");
  Add(catalog, 0x300, 't', "init_once", {}, "fs/inode.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(report.duplicate_names_before, 1u);
  EXPECT_EQ(report.duplicate_names_after_modules, 0u);
  EXPECT_EQ(report.annotated_objects, 0u);
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[0]), "init_once [ext4]");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[2]), "init_once");
}

TEST(DisambiguateTest, AliasesAreNotCollisions) {
  Catalog catalog;
  Add(catalog, 0x100, 'T', "memcpy", {}, "arch/x86/lib/memcpy_64.o");
  Add(catalog, 0x100, 'W', "__memcpy", {}, "arch/x86/lib/memcpy_64.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(report.duplicate_names_before, 0u);
  EXPECT_EQ(report.annotated_objects, 0u);
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

// Data symbols are made unique by the rule text symbols follow, apart from
// them: a data collision never changes how a function prints.
TEST(DisambiguateTest, DataDuplicatesAnnotateDataOnly) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "foo_probe", {}, "drivers/a/foo.o");
  Add(catalog, 0x200, 't', "bar_probe", {}, "drivers/b/foo.o");
  Add(catalog, 0x900, 'd', "descriptor.1", {}, "drivers/a/foo.o");
  Add(catalog, 0x980, 'd', "descriptor.1", {}, "drivers/b/foo.o");
  Add(catalog, 0xa00, 'b', "__key.0", {"ext4"}, "fs/ext4/super.o");
  Add(catalog, 0xa08, 'b', "__key.0", {"ext4"}, "fs/ext4/inode.o");
  Add(catalog, 0xa10, 'b', "__key.0", {}, "kernel/fork.o");
  Add(catalog, 0xa18, 'r', "__func__.0", {}, "kernel/fork.o");
  Add(catalog, 0xa20, 'r', "__func__.0", {}, "kernel/exit.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(Line(catalog, Find(catalog, 0x100)),
            "0000000000000100 t foo_probe");
  EXPECT_EQ(Line(catalog, Find(catalog, 0x900)),
            "0000000000000900 d descriptor.1\t{a/foo.o}");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0x980)),
            "descriptor.1 {b/foo.o}");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0xa00)),
            "__key.0 [ext4] {super.o}");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0xa08)),
            "__key.0 [ext4] {inode.o}");
  // Alone in the core kernel, yet annotated: fork.o has another data
  // collision, and the whole object carries it (the kernel's rule).
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0xa10)), "__key.0 {fork.o}");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0xa18)),
            "__func__.0 {fork.o}");
  EXPECT_EQ(AnnotationOf(catalog, "drivers/a/foo.o"), "");
  EXPECT_EQ(AnnotationOf(catalog, "drivers/a/foo.o", NameKind::kData),
            "a/foo.o");
  EXPECT_EQ(report.text.duplicate_names_before, 0u);
  EXPECT_EQ(report.data.duplicate_names_before, 3u);
  EXPECT_EQ(report.data.duplicate_names_after_modules, 3u);
  EXPECT_EQ(report.data.annotated_objects, 6u);
  EXPECT_EQ(report.duplicate_names_before, 0u);  // text's, as before
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, DataLeftAmbiguousIsReportedWithItsKind) {
  Catalog catalog;
  Add(catalog, 0x900, 'b', "__key.0", {}, "kernel/fork.o");
  Add(catalog, 0x980, 'b', "__key.0", {});
  Add(catalog, 0x990, 'b', "__key.0", {});
  Add(catalog, 0x100, 't', "__key.0", {}, "kernel/fork.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0x900)), "__key.0 {fork.o}");
  EXPECT_EQ(QualifiedName(catalog, Find(catalog, 0x100)), "__key.0");
  ASSERT_EQ(report.ambiguous.size(), 1u);
  EXPECT_EQ(report.ambiguous[0].kind, NameKind::kData);
  EXPECT_EQ(report.ambiguous[0].qualified, "__key.0");
  EXPECT_EQ(report.ambiguous[0].reason, "no object attribution");
  EXPECT_THAT(report.ambiguous[0].addresses, ElementsAre(0x980, 0x990));
}

TEST(DisambiguateTest, SameObjectStaysAmbiguous) {
  Catalog catalog;
  Add(catalog, 0x200, 't', "__kvm_nvhe_handle", {},
      "arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o");
  Add(catalog, 0x100, 't', "__kvm_nvhe_handle", {},
      "arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(report.annotated_objects, 0u);
  ASSERT_EQ(report.ambiguous.size(), 1u);
  EXPECT_EQ(report.ambiguous[0].qualified, "__kvm_nvhe_handle");
  EXPECT_THAT(report.ambiguous[0].addresses, ElementsAre(0x100, 0x200));
  EXPECT_EQ(report.ambiguous[0].reason,
            "same object arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o "
            "(pre-linked with ld -r?)");
}

TEST(DisambiguateTest, SameObjectPairNextToAnotherObjectIsAnnotated) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "handle", {}, "arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o");
  Add(catalog, 0x200, 't', "handle", {}, "arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o");
  Add(catalog, 0x300, 't', "handle", {}, "arch/arm64/kvm/handle_exit.o");
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[2]),
            "handle {handle_exit.o}");
  ASSERT_EQ(report.ambiguous.size(), 1u);
  EXPECT_EQ(report.ambiguous[0].qualified, "handle {kvm_nvhe.o}");
  EXPECT_THAT(report.ambiguous[0].addresses, ElementsAre(0x100, 0x200));
  EXPECT_EQ(report.ambiguous[0].reason,
            "same object arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o "
            "(pre-linked with ld -r?)");
}

TEST(DisambiguateTest, MissingAttributionIsReported) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "__list_del_entry", {"ext4"});
  Add(catalog, 0x200, 't', "__list_del_entry", {"ext4"});
  Add(catalog, 0x300, 't', "__list_del_entry", {"ext4"}, "fs/ext4/inode.o");
  DisambiguationReport report = Disambiguate(catalog);
  // The attributed one is told apart from the unattributed pair.
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[2]),
            "__list_del_entry [ext4] {inode.o}");
  ASSERT_EQ(report.ambiguous.size(), 1u);
  EXPECT_EQ(report.ambiguous[0].qualified, "__list_del_entry [ext4]");
  EXPECT_THAT(report.ambiguous[0].addresses, ElementsAre(0x100, 0x200));
  EXPECT_EQ(report.ambiguous[0].reason, "no object attribution");
}

TEST(DisambiguateTest, OneAttributedAndOneUnattributedAreBothUnique) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "f", {}, "kernel/a.o");
  Add(catalog, 0x200, 't', "f", {});
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[0]), "f {a.o}");
  EXPECT_EQ(QualifiedName(catalog, catalog.symbols[1]), "f");
  EXPECT_THAT(report.ambiguous, IsEmpty());
}

TEST(DisambiguateTest, ObjectIdOutOfRangeCountsAsUnattributed) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "f", {});
  Add(catalog, 0x200, 't', "f", {});
  catalog.symbols[1].object = 7;  // no such object
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(KallmodsymsSuffix(catalog, catalog.symbols[1]), "");
  ASSERT_EQ(report.ambiguous.size(), 1u);
  EXPECT_EQ(report.ambiguous[0].reason, "no object attribution");
}

TEST(DisambiguateTest, FinalPassCatchesObjectsSharingAPath) {
  Catalog catalog;
  // InternObject never does this; a hand-built catalog can.
  catalog.objects.push_back({"lib/foo.o", ""});
  catalog.objects.push_back({"lib/foo.o", ""});
  Add(catalog, 0x100, 't', "f", {});
  Add(catalog, 0x200, 't', "f", {});
  catalog.symbols[0].object = 0;
  catalog.symbols[1].object = 1;
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(catalog.objects[0].annotation, "lib/foo.o");
  ASSERT_EQ(report.ambiguous.size(), 1u);
  EXPECT_EQ(report.ambiguous[0].qualified, "f {lib/foo.o}");
  EXPECT_EQ(report.ambiguous[0].reason,
            "different objects annotated {lib/foo.o}");
}

TEST(DisambiguateTest, PreviousAnnotationsAreCleared) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "f", {}, "kernel/a.o");
  catalog.objects[0].annotation = "stale.o";
  DisambiguationReport report = Disambiguate(catalog);
  EXPECT_EQ(catalog.objects[0].annotation, "");
  EXPECT_EQ(report.annotated_objects, 0u);
}

TEST(DisambiguateTest, AmbiguousListIsSortedByQualifiedName) {
  Catalog catalog;
  Add(catalog, 0x100, 't', "zeta", {});
  Add(catalog, 0x200, 't', "zeta", {});
  Add(catalog, 0x300, 't', "alpha", {});
  Add(catalog, 0x400, 't', "alpha", {});
  DisambiguationReport report = Disambiguate(catalog);
  ASSERT_EQ(report.ambiguous.size(), 2u);
  EXPECT_EQ(report.ambiguous[0].qualified, "alpha");
  EXPECT_EQ(report.ambiguous[1].qualified, "zeta");
}

// A catalog with many collisions drawn from a small pool of names, module
// sets and objects whose paths share components.
Catalog RandomCatalog(uint32_t seed, size_t count) {
  std::mt19937 rng(seed);
  const char* dirs[] = {"kernel", "mm", "fs", "drivers", "net", "x", "sched"};
  const char* files[] = {"core.o", "main.o", "util.o"};
  const char* modules[] = {"ext4", "xfs", "liquidio", "liquidio_vf"};
  const char types[] = {'t', 'T', 'w', 'W', 'd', 'D', 'r', 'b'};
  std::vector<std::string> paths;
  for (int i = 0; i < 60; ++i) {
    std::string path;
    for (uint32_t depth = rng() % 4; depth > 0; --depth) {
      absl::StrAppend(&path, dirs[rng() % 7], "/");
    }
    absl::StrAppend(&path, files[rng() % 3]);
    paths.push_back(path);
  }
  Catalog catalog;
  std::vector<std::pair<uint64_t, std::string>> used;
  for (size_t i = 0; i < count; ++i) {
    Symbol s;
    s.address = 0x1000 + 0x10 * i;
    s.type = types[rng() % 8];
    s.name = absl::StrCat("sym", rng() % 40);
    std::vector<std::string> mods;
    for (int m = 0; m < 4; ++m) {
      if (rng() % 5 == 0) mods.push_back(modules[m]);
    }
    s.module_set = catalog.InternModuleSet(mods);
    if (rng() % 20 != 0) s.object = catalog.InternObject(paths[rng() % 60]);
    catalog.symbols.push_back(s);
  }
  return catalog;
}

TEST(DisambiguateTest, RandomCatalogNamesAreUniqueWithinAKindExceptReported) {
  Catalog catalog = RandomCatalog(12345, 3000);
  DisambiguationReport report = Disambiguate(catalog);
  using Key = std::pair<NameKind, std::string>;
  std::map<Key, std::vector<uint64_t>> by_name;
  for (const Symbol& s : catalog.symbols) {
    by_name[{NameKindOf(s.type), QualifiedName(catalog, s)}].push_back(
        s.address);
  }
  std::map<Key, std::vector<uint64_t>> duplicated;
  for (auto& [name, addresses] : by_name) {
    std::sort(addresses.begin(), addresses.end());
    if (addresses.size() > 1) duplicated[name] = addresses;
  }
  std::map<Key, std::vector<uint64_t>> reported;
  for (const AmbiguousName& a : report.ambiguous) {
    EXPECT_TRUE(
        reported.emplace(Key{a.kind, a.qualified}, a.addresses).second)
        << a.qualified;
    // The random paths never share one path between objects.
    EXPECT_TRUE(a.reason == "no object attribution" ||
                absl::StartsWith(a.reason, "same object "))
        << a.reason;
  }
  EXPECT_EQ(reported, duplicated);
  EXPECT_GT(report.text.annotated_objects, 10u);
  EXPECT_GT(report.data.annotated_objects, 10u);
  EXPECT_GT(report.text.duplicate_names_after_modules, 30u);
  EXPECT_GT(report.data.duplicate_names_after_modules, 30u);

  // Every annotation selects exactly its own object among the objects
  // sharing a (kind, name, module set) with it.
  std::map<std::tuple<NameKind, std::string, uint32_t>, std::vector<uint32_t>>
      groups;
  for (const Symbol& s : catalog.symbols) {
    if (s.object != kNoObject) {
      groups[{NameKindOf(s.type), s.name, s.module_set}].push_back(s.object);
    }
  }
  for (const auto& [key, objects] : groups) {
    const NameKind kind = std::get<0>(key);
    for (uint32_t a : objects) {
      const ObjectFile& oa = catalog.objects[a];
      const std::string& annotation = oa.Annotation(kind);
      if (annotation.empty()) continue;
      for (uint32_t b : objects) {
        const std::string& pb = catalog.objects[b].path;
        if (a == b || absl::EndsWith(pb, "/" + oa.path)) continue;
        EXPECT_FALSE(pb == annotation || absl::EndsWith(pb, "/" + annotation))
            << annotation << " also selects " << pb;
      }
    }
  }
}

TEST(DisambiguateTest, DeterministicUnderShuffledInput) {
  Catalog reference = RandomCatalog(777, 2000);
  DisambiguationReport expected = Disambiguate(reference);
  ASSERT_FALSE(expected.ambiguous.empty());
  std::mt19937 rng(99);
  for (int round = 0; round < 5; ++round) {
    Catalog shuffled = reference;
    std::shuffle(shuffled.symbols.begin(), shuffled.symbols.end(), rng);
    DisambiguationReport got = Disambiguate(shuffled);
    ASSERT_EQ(shuffled.objects.size(), reference.objects.size());
    for (size_t i = 0; i < reference.objects.size(); ++i) {
      EXPECT_EQ(shuffled.objects[i].annotation,
                reference.objects[i].annotation);
      EXPECT_EQ(shuffled.objects[i].data_annotation,
                reference.objects[i].data_annotation);
    }
    EXPECT_EQ(got.duplicate_names_before, expected.duplicate_names_before);
    EXPECT_EQ(got.duplicate_names_after_modules,
              expected.duplicate_names_after_modules);
    EXPECT_EQ(got.annotated_objects, expected.annotated_objects);
    ASSERT_EQ(got.ambiguous.size(), expected.ambiguous.size());
    for (size_t i = 0; i < got.ambiguous.size(); ++i) {
      EXPECT_EQ(got.ambiguous[i].qualified, expected.ambiguous[i].qualified);
      EXPECT_EQ(got.ambiguous[i].addresses, expected.ambiguous[i].addresses);
      EXPECT_EQ(got.ambiguous[i].reason, expected.ambiguous[i].reason);
    }
  }
}

}  // namespace
}  // namespace ksym
