#include "symbolizer/builder/loadable_modules.h"
#include "symbolizer/testing/fake_files.h"
#include "symbolizer/testing/index_testing.h"

#include <string>
#include <vector>

#include <sys/stat.h>
#include <zstd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/testing/build_id_note.h"

namespace ksym {
namespace {

using testutil::Entry;

const char kKo[] = "symbolizer/sources/elf/ksym-fixture.ko";
const char kKoZdebug[] = "symbolizer/sources/elf/ksym-fixture.ko.zdebug";

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> b = ReadFileToString(path);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : "";
}

TEST(LoadableModulesTest, TakeKeepsTheOrderOnBothSides) {
  std::vector<KallsymsEntry> v = {
      Entry(1, 'T', "a"), Entry(2, 't', "m1", "ext4"), Entry(3, 'T', "b"),
      Entry(4, 'd', "m2", "btrfs"), Entry(5, 't', "m3", "ext4")};
  std::vector<KallsymsEntry> mods = TakeLoadableModuleEntries(v);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].name, "a");
  EXPECT_EQ(v[1].name, "b");
  ASSERT_EQ(mods.size(), 3u);
  EXPECT_EQ(mods[0].name, "m1");
  EXPECT_EQ(mods[1].name, "m2");
  EXPECT_EQ(mods[2].name, "m3");
}

// /proc/kallsyms lists a module's symbols in its symtab order: the first
// of aliases is the one the kernel names, marked where the vmlinux rules
// would name another.
TEST(LoadableModulesTest, KallsymsOrderMarksTheAliasTheKernelNames) {
  Catalog c;
  BuildLog log;
  AddLoadableModules({Entry(0xffffffffc0001000, 't', "exit_xfs_fs", "xfs"),
                      Entry(0xffffffffc0002000, 't', "xfs_init", "xfs"),
                      Entry(0xffffffffc0001000, 't', "cleanup_module", "xfs"),
                      Entry(0xffffffffc0101000, 't', "cleanup_module", "ext4"),
                      Entry(0xffffffffc0101000, 't', "exit_ext4_fs", "ext4")},
                     {"kallsyms", false, {}}, c, log);
  std::vector<std::string> marked;
  for (const Symbol& s : c.symbols) {
    if (s.module_alias_first) marked.push_back(s.name);
  }
  EXPECT_EQ(marked, std::vector<std::string>{"exit_xfs_fs"});
}

TEST(LoadableModulesTest, EachModuleIsOneLoadableSet) {
  Catalog c;
  BuildLog log;
  AddLoadableModules({Entry(0xffffffffc0001000, 't', "f", "ext4"),
                      Entry(0xffffffffc0002000, 'd', "g", "ext4"),
                      Entry(0xffffffffc0101000, 't', "f", "btrfs")},
                     {"kallsyms", false, {}}, c, log);
  ASSERT_EQ(c.symbols.size(), 3u);
  EXPECT_EQ(c.symbols[0].module_set, c.symbols[1].module_set);
  EXPECT_NE(c.symbols[0].module_set, c.symbols[2].module_set);
  EXPECT_EQ(c.module_sets[c.symbols[2].module_set],
            std::vector<std::string>{"btrfs"});
  EXPECT_TRUE(c.loadable_module_sets.contains(c.symbols[0].module_set));
  EXPECT_TRUE(c.loadable_module_sets.contains(c.symbols[2].module_set));
  // Not a live system: the build says plainly that no .ko was read.
  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[0].what, "loadable modules");
  EXPECT_EQ(c.sources[0].state, SourceState::kMissing);
  EXPECT_TRUE(absl::StartsWith(c.sources[0].why, "no .ko read: 2 modules"))
      << c.sources[0].why;
  // Nor their lines.
  EXPECT_EQ(c.sources[1].what, "module line tables");
  EXPECT_EQ(c.sources[1].state, SourceState::kMissing);
  EXPECT_EQ(c.sources[1].why, "no module's debug .ko was read");
  EXPECT_EQ(c.module_lines, nullptr);
  ASSERT_EQ(log.notes.size(), 3u);
  EXPECT_EQ(log.notes[2],
            "3 loadable-module symbols from kallsyms alone (no sizes, no "
            "objects)");
}

// A live root holding the fixture module: its .ko is read, and a .ko of
// another build is refused naming both build-ids.
std::string FixtureRoot(const std::string& name, const std::string& note) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = absl::StrCat(tmp ? tmp : "/tmp", "/", name);
  const std::string mods = root + "/lib/modules/6.1.0-test";
  WriteTestFile(mods + "/modules.dep", "kernel/ksym-fixture.ko:\n");
  WriteTestFile(mods + "/kernel/ksym-fixture.ko", Read(kKo));
  WriteTestFile(root + "/sys/module/ksym_fixture/sections/.text",
        "0xffffffffc0381000\n");
  if (!note.empty()) {
    WriteTestFile(root + "/sys/module/ksym_fixture/notes/.note.gnu.build-id", note);
  }
  WriteTestFile(root + "/proc/modules",
        "ksym_fixture 16384 0 - Live 0xffffffffc0381000\n");
  return root;
}

// The fixture module's kallsyms line (one `helper`) read against a root
// from FixtureRoot: what AddLoadableModules put in a new catalog and log.
struct FixtureBuild {
  Catalog catalog;
  BuildLog log;
};
FixtureBuild AddFixtureModule(const std::string& root) {
  FixtureBuild b;
  LoadableModuleSources src{"kallsyms", true, {root, "6.1.0-test", {}}};
  AddLoadableModules({Entry(0xffffffffc0381030, 't', "helper",
                            "ksym_fixture")},
                     src, b.catalog, b.log);
  return b;
}

TEST(LoadableModulesTest, ALiveModuleIsReadFromItsKo) {
  const Catalog c = AddFixtureModule(FixtureRoot("live", "")).catalog;
  size_t helpers = 0;
  for (const Symbol& s : c.symbols) {
    EXPECT_EQ(c.module_sets[s.module_set],
              std::vector<std::string>{"ksym_fixture"});
    EXPECT_TRUE(s.size_exact) << s.name;
    helpers += s.name == "helper";
  }
  EXPECT_EQ(helpers, 2u);  // both, though kallsyms listed one
  ASSERT_GE(c.sources.size(), 2u);
  const InputSource& summary = c.sources[c.sources.size() - 2];
  EXPECT_EQ(summary.what, "loadable modules");
  EXPECT_EQ(summary.state, SourceState::kFound);
  EXPECT_TRUE(absl::StartsWith(summary.why,
                               "1 loaded, 1 from .ko files, 0 with debug "
                               "data"))
      << summary.why;
  EXPECT_EQ(c.sources.back().what, "module line tables");
  EXPECT_EQ(c.sources.back().state, SourceState::kMissing);
  EXPECT_EQ(c.module_lines, nullptr);
}

// With its debug .ko (the fixture has DWARF), the module's lines are read
// and placed at its .text address: each function symbol's address is
// covered by a DWARF function of its name; --no-lines reads none.
TEST(LoadableModulesTest, ADebugKoGivesTheModulesLinesAtItsLoadAddresses) {
  const std::string root = FixtureRoot("debug_lines", "");
  WriteTestFile(root + "/usr/lib/debug/lib/modules/6.1.0-test/kernel/ksym-fixture.ko",
        Read(kKo));
  const Catalog c = AddFixtureModule(root).catalog;
  ASSERT_NE(c.module_lines, nullptr);
  EXPECT_EQ(c.sources.back().what, "module line tables");
  EXPECT_EQ(c.sources.back().state, SourceState::kFound);
  EXPECT_TRUE(absl::StrContains(c.sources.back().why, "(ksym_fixture)"))
      << c.sources.back().why;
  size_t covered = 0;
  for (const Symbol& s : c.symbols) {
    if (!IsTextType(s.type) || !s.size_exact || s.size == 0) continue;
    std::vector<SourceFrame> frames = c.module_lines->Symbolize(s.address);
    ASSERT_FALSE(frames.empty()) << s.name;
    EXPECT_EQ(frames.back().function, s.name);
    EXPECT_TRUE(absl::StrContains(frames.back().file, "module/mod_"))
        << frames.back().file;
    EXPECT_GT(frames.back().line, 0u) << s.name;
    ++covered;
  }
  EXPECT_GE(covered, 2u);  // both helpers at least

  Catalog without;
  BuildLog log;
  LoadableModuleSources src{"kallsyms", true, {root, "6.1.0-test", {}}};
  src.lines = false;
  AddLoadableModules({}, src, without, log);
  EXPECT_EQ(without.module_lines, nullptr);
  EXPECT_EQ(without.sources.back().why, "not read: built with --no-lines");
}

// A debug .ko with SHF_COMPRESSED debug sections, or compressed whole
// (.ko.zst, as the .ko files are shipped), gives the same lines as the
// plain one: its units and lines are read from one image, decompressed
// and relocated once, with no warning.
TEST(LoadableModulesTest, ACompressedDebugKoGivesTheSameLines) {
  const std::string ko = Read(kKo);
  std::string zst(ZSTD_compressBound(ko.size()), '\0');
  const size_t n = ZSTD_compress(zst.data(), zst.size(), ko.data(), ko.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  zst.resize(n);
  struct Form {
    const char* name;
    std::string file;  // under usr/lib/debug/lib/modules/6.1.0-test/kernel/
    std::string bytes;
  };
  const Form forms[] = {{"plain", "ksym-fixture.ko", ko},
                        {"shf_compressed", "ksym-fixture.ko", Read(kKoZdebug)},
                        {"zst", "ksym-fixture.ko.zst", zst}};
  std::vector<std::vector<std::string>> answers;
  for (const Form& f : forms) {
    const std::string root = FixtureRoot(absl::StrCat("compressed_", f.name), "");
    WriteTestFile(
        absl::StrCat(root, "/usr/lib/debug/lib/modules/6.1.0-test/kernel/", f.file),
        f.bytes);
    const FixtureBuild b = AddFixtureModule(root);
    const Catalog& c = b.catalog;
    EXPECT_TRUE(b.log.warnings.empty())
        << f.name << ": " << absl::StrJoin(b.log.warnings, "\n");
    ASSERT_NE(c.module_lines, nullptr) << f.name;
    EXPECT_EQ(c.sources.back().state, SourceState::kFound) << f.name;
    std::vector<std::string> answer;
    for (const Symbol& s : c.symbols) {
      if (!IsTextType(s.type) || !s.size_exact) continue;
      for (uint64_t o = 0; o < s.size; ++o) {
        for (const SourceFrame& fr : c.module_lines->Symbolize(s.address + o)) {
          answer.push_back(absl::StrCat(s.name, "+", o, " ", fr.function, " ",
                                        fr.file, ":", fr.line));
        }
      }
    }
    EXPECT_FALSE(answer.empty()) << f.name;
    answers.push_back(std::move(answer));
  }
  EXPECT_EQ(answers[1], answers[0]);
  EXPECT_EQ(answers[2], answers[0]);
}

TEST(LoadableModulesTest, AKoOfAnotherBuildIsRejected) {
  const std::string note("\x04\0\0\0\x03\0\0\0\x03\0\0\0GNU\0\xab\xcd\xef\0", 20);
  const Catalog c = AddFixtureModule(FixtureRoot("rejected", note)).catalog;
  ASSERT_EQ(c.symbols.size(), 1u);  // the kallsyms line alone
  EXPECT_FALSE(c.symbols[0].size_exact);
  ASSERT_EQ(c.sources.size(), 3u);
  EXPECT_EQ(c.sources[0].what, "module ksym_fixture");
  EXPECT_EQ(c.sources[0].state, SourceState::kRejected);
  EXPECT_TRUE(absl::StrContains(c.sources[0].why, "abcdef")) << c.sources[0].why;
  EXPECT_TRUE(absl::StrContains(c.sources[0].why, "build-id ")) << c.sources[0].why;
  EXPECT_TRUE(absl::StartsWith(c.sources[1].why, "no .ko read: "))
      << c.sources[1].why;
}

// Several modules, their files read ahead on worker threads: each module's
// outcome is what reading it alone gives, and the rejections are listed in
// module order. m0 and m4: notes with the .ko's build-id (the read-ahead
// parses the debug .ko); m1: no notes (the build-id comes from the .ko, the
// debug .ko is parsed after that check); m2: notes of another build (both
// files refused, kallsyms only); m3: a debug file that is no ELF file.
TEST(LoadableModulesTest, ModulesReadAheadKeepTheirOwnOutcomesAndOrder) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = absl::StrCat(tmp ? tmp : "/tmp", "/ahead");
  const std::string rel = "6.1.0-test";
  const std::string ko = Read(kKo);
  absl::StatusOr<ElfSymbolTable> symtab = ReadElfSymtabFile(kKo);
  ASSERT_TRUE(symtab.ok()) << symtab.status();
  ASSERT_FALSE(symtab->build_id.empty());
  const std::string good = testutil::BuildIdNotes(symtab->build_id);
  const std::string other = testutil::BuildIdNotes(std::string(40, 'e'));
  const std::vector<std::string> notes = {good, "", other, good, good};
  std::string dep, proc;
  std::vector<KallsymsEntry> kallsyms;
  for (size_t i = 0; i < notes.size(); ++i) {
    const std::string name = absl::StrCat("m", i);
    const uint64_t text = 0xffffffffc0381000 + i * 0x100000;
    absl::StrAppend(&dep, "kernel/", name, ".ko:\n");
    WriteTestFile(absl::StrCat(root, "/lib/modules/", rel, "/kernel/", name, ".ko"),
          ko);
    WriteTestFile(absl::StrCat(root, "/usr/lib/debug/lib/modules/", rel, "/kernel/",
                       name, ".ko"),
          i == 3 ? std::string("not an ELF file") : ko);
    WriteTestFile(absl::StrCat(root, "/sys/module/", name, "/sections/.text"),
          absl::StrCat("0x", absl::Hex(text), "\n"));
    if (!notes[i].empty()) {
      WriteTestFile(absl::StrCat(root, "/sys/module/", name,
                         "/notes/.note.gnu.build-id"),
            notes[i]);
    }
    absl::StrAppend(&proc, name, " 16384 0 - Live 0x", absl::Hex(text), "\n");
    kallsyms.push_back(Entry(text + 0x30, 't', "helper", name.c_str()));
  }
  WriteTestFile(absl::StrCat(root, "/lib/modules/", rel, "/modules.dep"), dep);
  WriteTestFile(root + "/proc/modules", proc);

  Catalog c;
  BuildLog log;
  LoadableModuleSources src{"kallsyms", true, {root, rel, {}}};
  AddLoadableModules(kallsyms, src, c, log);
  std::vector<std::string> rejected;
  for (const InputSource& s : c.sources) {
    if (s.state == SourceState::kRejected) rejected.push_back(s.what);
  }
  EXPECT_EQ(rejected, (std::vector<std::string>{"module m2", "module m2 debug",
                                                "module m3 debug"}));
  ASSERT_GE(c.sources.size(), 2u);
  const InputSource& summary = c.sources[c.sources.size() - 2];
  EXPECT_TRUE(absl::StartsWith(summary.why,
                               "5 loaded, 4 from .ko files, 3 with debug data"))
      << summary.why;
  EXPECT_TRUE(absl::StrContains(summary.why,
                                "no debug data: m3; kallsyms [mod] only: m2 ("))
      << summary.why;
  // The lines of exactly the modules whose debug .ko was read.
  EXPECT_EQ(c.sources.back().what, "module line tables");
  EXPECT_TRUE(absl::StartsWith(c.sources.back().why,
                               "debug .ko of 3 modules (m0, m1, m4)"))
      << c.sources.back().why;
  // Per module: exact sizes from a .ko but m2's; objects with debug data.
  std::map<std::string, size_t> exact, with_object;
  for (const Symbol& s : c.symbols) {
    const std::string& m = c.module_sets[s.module_set][0];
    exact[m] += s.size_exact;
    with_object[m] += s.object != kNoObject;
  }
  for (const char* m : {"m0", "m1", "m3", "m4"}) {
    EXPECT_GT(exact[m], 0u) << m;
  }
  EXPECT_EQ(exact["m2"], 0u);
  for (const char* m : {"m0", "m1", "m4"}) EXPECT_GT(with_object[m], 0u) << m;
  EXPECT_EQ(with_object["m2"], 0u);
  EXPECT_EQ(with_object["m3"], 0u);
  EXPECT_EQ(with_object["m0"], with_object["m1"]);
}

TEST(LoadableModulesTest, CoreEntriesGetNoModuleSet) {
  Catalog c;
  std::vector<KallsymsEntry> v = {Entry(0xffffffff81000000, 'T', "_text")};
  AddKallsymsEntries(v, c);
  ASSERT_EQ(c.symbols.size(), 1u);
  EXPECT_EQ(c.symbols[0].module_set, kNoModules);
  EXPECT_TRUE(c.loadable_module_sets.empty());
}

}  // namespace
}  // namespace ksym
