// MarkModuleAliasFirst: the first of a module's aliases in symtab order is
// the one the kernel names; marked only where the vmlinux rules disagree.
#include "symbolizer/builder/module_alias_order.h"

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {
namespace {

Symbol S(uint64_t address, const std::string& name, char type = 't') {
  Symbol s;
  s.address = address;
  s.type = type;
  s.name = name;
  return s;
}

std::vector<std::string> Marked(const std::vector<Symbol>& v) {
  std::vector<std::string> out;
  for (const Symbol& s : v) {
    if (s.module_alias_first) out.push_back(s.name);
  }
  return out;
}

TEST(ModuleAliasOrderTest, FirstInSymtabWinsWhereTheVmlinuxRulesDisagree) {
  // xfs.ko: exit_xfs_fs (entry 4527) before cleanup_module (entry 12354);
  // by name bytes the vmlinux rules would pick cleanup_module.
  std::vector<Symbol> v = {S(0x2000, "xfs_fs_fill_super"),
                           S(0x1010, "exit_xfs_fs"),
                           S(0x1010, "cleanup_module", 'T')};
  EXPECT_EQ(MarkModuleAliasFirst(absl::MakeSpan(v)), 1u);
  EXPECT_EQ(Marked(v), std::vector<std::string>{"exit_xfs_fs"});
}

TEST(ModuleAliasOrderTest, NoMarkWhereTheVmlinuxRulesAgree) {
  // cleanup_module first in the symtab: the rules pick it anyway.
  std::vector<Symbol> v = {S(0x1010, "cleanup_module", 'T'),
                           S(0x1010, "exit_xfs_fs")};
  EXPECT_EQ(MarkModuleAliasFirst(absl::MakeSpan(v)), 0u);
  EXPECT_TRUE(Marked(v).empty());
}

TEST(ModuleAliasOrderTest, MappingSymbolsAndEmptyNamesNeverWin) {
  // The kernel's scan skips them (is_mapping_symbol, unnamed symbols).
  std::vector<Symbol> v = {S(0x1000, "$x"), S(0x1000, ".L42"),
                           S(0x1000, "zz_first_real"), S(0x1000, "aa_later")};
  EXPECT_EQ(MarkModuleAliasFirst(absl::MakeSpan(v)), 1u);
  EXPECT_EQ(Marked(v), std::vector<std::string>{"zz_first_real"});
}

TEST(ModuleAliasOrderTest, OneMarkPerAddressWhateverTheGroupSize) {
  std::vector<Symbol> v = {S(0x1000, "zz"), S(0x1000, "yy"), S(0x1000, "aa"),
                           S(0x2000, "_b"), S(0x2000, "__a"),
                           S(0x3000, "alone")};
  EXPECT_EQ(MarkModuleAliasFirst(absl::MakeSpan(v)), 1u);
  // "_b" beats "__a" by fewer underscores under the vmlinux rules too.
  EXPECT_EQ(Marked(v), std::vector<std::string>{"zz"});
  v[3].name = "__b";
  v[4].name = "_a";
  v[0].module_alias_first = false;
  EXPECT_EQ(MarkModuleAliasFirst(absl::MakeSpan(v)), 2u);
  EXPECT_EQ(Marked(v), (std::vector<std::string>{"zz", "__b"}));
}

}  // namespace
}  // namespace ksym
