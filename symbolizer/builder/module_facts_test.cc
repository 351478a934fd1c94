#include "symbolizer/builder/module_facts.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ksym {
namespace {

using Modules = std::vector<std::string>;

Catalog WithObjects(const std::vector<const char*>& paths) {
  Catalog c;
  for (const char* p : paths) c.InternObject(p);
  return c;
}

TEST(ModuleFactsTest, NoFilesNoFacts) {
  BuildLog log;
  ModuleFacts f = BuiltinModuleFacts({}, Catalog(), log);
  EXPECT_TRUE(f.facts.object_modules.empty());
  EXPECT_TRUE(f.facts.module_ranges.empty());
  EXPECT_TRUE(log.notes.empty());
  EXPECT_TRUE(log.warnings.empty());
}

TEST(ModuleFactsTest, BuiltinObjsComeFirstAndSingleObjectModulesFill) {
  ModuleFiles files;
  files.objs.emplace();
  files.objs->push_back({"fs/ext4/ext4.o", {"fs/ext4/super.o"}});
  files.modinfo.emplace();
  files.modinfo->module_files = {{"binfmt_elf", "fs/binfmt_elf"},
                                 {"ext4", "fs/ext4/ext4"},
                                 {"liquidio", "drivers/net/liquidio/liquidio"}};
  files.modinfo_path = "modules.builtin.modinfo";
  Catalog c = WithObjects({"fs/ext4/super.o", "fs/binfmt_elf.o"});
  BuildLog log;
  ModuleFacts f = BuiltinModuleFacts(std::move(files), c, log);
  EXPECT_EQ(f.facts.object_modules.at("fs/ext4/super.o"), Modules{"ext4"});
  EXPECT_EQ(f.facts.object_modules.at("fs/binfmt_elf.o"),
            Modules{"binfmt_elf"});
  EXPECT_EQ(f.object_source.at("fs/ext4/super.o"),
            FactSource::kModulesBuiltinObjs);
  EXPECT_EQ(f.object_source.at("fs/binfmt_elf.o"),
            FactSource::kModulesBuiltinModinfo);
  EXPECT_EQ(f.facts.object_modules_source, FactSource::kModulesBuiltinObjs);
  // liquidio is several objects nobody lists: said, not guessed.
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("(liquidio)"), std::string::npos)
      << log.warnings[0];
}

TEST(ModuleFactsTest, KbuildCmdNeedsModulesBuiltin) {
  ModuleFiles files;
  files.kbuild.emplace();
  files.kbuild->cmd_files = 2;
  for (const char* object : {"fs/ext4/super.o", "kernel/fork.o"}) {
    KbuildCmd cmd;
    cmd.object = object;
    cmd.modfile = object[0] == 'f' ? "fs/ext4/ext4" : "kernel/fork";
    cmd.modfiles = {cmd.modfile};
    files.kbuild->objects.push_back(cmd);
  }
  files.build_dir = "build";
  BuildLog log;
  ModuleFacts without = BuiltinModuleFacts(files, Catalog(), log);
  EXPECT_TRUE(without.facts.object_modules.empty());
  ASSERT_EQ(log.warnings.size(), 1u);

  files.builtin.emplace();
  files.builtin->insert("kernel/fs/ext4/ext4.ko");
  BuildLog log2;
  ModuleFacts with = BuiltinModuleFacts(files, Catalog(), log2);
  EXPECT_EQ(with.facts.object_modules.at("fs/ext4/super.o"), Modules{"ext4"});
  // Core kernel objects are known to be in no module.
  EXPECT_EQ(with.facts.object_modules.at("kernel/fork.o"), Modules{});
  EXPECT_EQ(with.facts.object_modules_source, FactSource::kKbuildCmd);
}

TEST(ModuleFactsTest, RangesAreMadeAbsoluteFromTheirAnchor) {
  ModuleFiles files;
  files.ranges.emplace();
  BuiltinRange r;
  r.section = ".text";
  r.anchor = "_text";
  r.anchor_offset = 0;
  r.start = 0x100;
  r.end = 0x200;
  r.modules = {"amd_uncore"};
  files.ranges->push_back(r);
  BuiltinRange lost = r;
  lost.section = ".data";
  lost.anchor = "_sdata";
  files.ranges->push_back(lost);
  files.ranges_path = "modules.builtin.ranges";
  Catalog c;
  Symbol text;
  text.address = 0xffffffff81000000;
  text.type = 'T';
  text.name = "_text";
  c.symbols.push_back(text);
  BuildLog log;
  ModuleFacts f = BuiltinModuleFacts(std::move(files), c, log);
  ASSERT_EQ(f.facts.module_ranges.size(), 1u);
  EXPECT_EQ(f.facts.module_ranges[0].begin, 0xffffffff81000100u);
  EXPECT_EQ(f.facts.module_ranges[0].end, 0xffffffff81000200u);
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("_sdata"), std::string::npos);
}

TEST(ModuleFactsTest, CountModuleSourcesSplitsByTheListingFile) {
  Catalog c = WithObjects({"a.o", "b.o"});
  uint32_t m = c.InternModuleSet({"mod"});
  for (uint32_t o : {0u, 1u, 1u}) {
    Symbol s;
    s.type = 't';
    s.object = o;
    s.module_set = m;
    c.symbols.push_back(s);
  }
  ModuleFacts f;
  f.facts.object_modules_source = FactSource::kModulesBuiltinObjs;
  f.object_source["a.o"] = FactSource::kModulesBuiltinObjs;
  f.object_source["b.o"] = FactSource::kModulesBuiltinModinfo;
  AttributionStats stats;
  stats.module_from[static_cast<size_t>(FactSource::kModulesBuiltinObjs)] = 3;
  CountModuleSources(f, c, stats);
  EXPECT_EQ(
      stats.module_from[static_cast<size_t>(FactSource::kModulesBuiltinObjs)],
      1u);
  EXPECT_EQ(stats.module_from[static_cast<size_t>(
                FactSource::kModulesBuiltinModinfo)],
            2u);
}

}  // namespace
}  // namespace ksym
