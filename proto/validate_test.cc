// The checks of an incoming table, part by part: each damage to a valid
// table (SampleCatalog's export) gives exactly one message naming the field,
// the index and what was expected.
#include "proto/validate.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proto/ksym.pb.h"
#include "proto/table_testing.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {
namespace {

using ::ksym::prototest::Export;
using ::ksym::prototest::SampleCatalog;

constexpr absl::string_view kLabel = "t.pb";

// t_ starts as a valid table; a test damages it and names the message the
// check of that part must give.
class CheckTest : public testing::Test {
 protected:
  void SetUp() override {
    t_ = Export(SampleCatalog());
    ASSERT_TRUE(Check().ok()) << Check();
  }
  // The check of the part under test, on t_.
  virtual absl::Status Check() = 0;
  proto::SymbolColumns* s() { return t_.mutable_symbols(); }
  void ExpectBad(const std::string& message) {
    EXPECT_EQ(Check(), absl::InvalidArgumentError(
                           absl::StrCat(kLabel, ": ", message)));
  }

  proto::SymbolTable t_;
};

class VersionCheck : public CheckTest {
 protected:
  absl::Status Check() override { return CheckTableVersion(t_, kLabel); }
};

class IdentityCheck : public CheckTest {
 protected:
  absl::Status Check() override {
    KernelIdentity id;
    return CheckTableIdentity(t_.identity(), kLabel, &id);
  }
};

class ModulesCheck : public CheckTest {
 protected:
  absl::Status Check() override {
    Catalog c;
    return CheckTableModules(t_, kLabel, &c);
  }
};

class SourcesCheck : public CheckTest {
 protected:
  absl::Status Check() override {
    Catalog c;
    return CheckTableSources(t_, kLabel, &c);
  }
};

class ObjectsCheck : public CheckTest {
 protected:
  absl::Status Check() override {
    Catalog c;
    return CheckTableObjects(t_, kLabel, &c);
  }
};

// Symbols refer to module sets and objects: those come first, from t_ too
// (the symbol tests leave them valid).
class SymbolsCheck : public CheckTest {
 protected:
  absl::Status Check() override {
    Catalog c;
    if (absl::Status st = CheckTableModules(t_, kLabel, &c); !st.ok()) {
      return st;
    }
    if (absl::Status st = CheckTableObjects(t_, kLabel, &c); !st.ok()) {
      return st;
    }
    return CheckTableSymbols(t_.symbols(), kLabel, &c);
  }
};

TEST_F(VersionCheck, MissingOrNewer) {
  t_.set_version(0);
  ExpectBad("version: missing (expected 1)");
  t_.set_version(2);
  EXPECT_EQ(Check(),
            absl::FailedPreconditionError(
                "t.pb: version: 2 is newer than this reader (expected at "
                "most 1)"));
}

TEST_F(IdentityCheck, AddressSpace) {
  t_.mutable_identity()->set_address_space(proto::ADDRESS_SPACE_UNSPECIFIED);
  ExpectBad(
      "identity.address_space: ADDRESS_SPACE_UNSPECIFIED (expected "
      "ADDRESS_SPACE_STATIC or ADDRESS_SPACE_RUNTIME)");
  // proto3 enums are open: a newer writer's value parses, and is refused.
  t_.mutable_identity()->set_address_space(static_cast<proto::AddressSpace>(7));
  ExpectBad(
      "identity.address_space: unknown value 7 (expected "
      "ADDRESS_SPACE_STATIC or ADDRESS_SPACE_RUNTIME)");
}

TEST_F(IdentityCheck, BuildId) {
  t_.mutable_identity()->set_build_id("0123ABCD");
  ExpectBad(
      "identity.build_id: \"0123ABCD\" is not a build-id (expected an even "
      "number of lowercase hex digits)");
  t_.mutable_identity()->set_build_id("012");
  ExpectBad(
      "identity.build_id: \"012\" is not a build-id (expected an even "
      "number of lowercase hex digits)");
  t_.mutable_identity()->set_build_id("");  // unknown is fine
  EXPECT_TRUE(Check().ok());
}

TEST_F(ModulesCheck, ModuleNames) {
  t_.set_module_names(1, "");
  ExpectBad("module_names[1]: empty (expected a module name)");
  t_.set_module_names(1, "liquid io");
  ExpectBad(
      "module_names[1]: \"liquid io\" contains a space or control character "
      "(expected a module name)");
  t_.set_module_names(1, "ext4");
  ExpectBad("module_names[1]: \"ext4\" duplicates module_names[0]");
}

TEST_F(ModulesCheck, ModuleSets) {
  proto::SymbolTable valid = t_;
  t_.clear_module_sets();
  ExpectBad("module_sets: empty (expected set 0, the empty set of the core "
            "kernel)");
  t_ = valid;
  t_.mutable_module_sets(0)->add_module_ids(0);
  ExpectBad("module_sets[0]: has 1 modules (expected none: set 0 is the core "
            "kernel)");
  t_ = valid;
  t_.mutable_module_sets(2)->set_module_ids(1, 4);
  ExpectBad(
      "module_sets[2].module_ids[1]: 4 is out of range (expected less than "
      "4, the size of module_names)");
  t_.mutable_module_sets(2)->set_module_ids(1, 0);
  ExpectBad(
      "module_sets[2].module_ids[1]: \"ext4\" does not sort after "
      "\"liquidio\" (expected module names ascending, each once)");
  t_.mutable_module_sets(2)->set_module_ids(1, 1);
  ExpectBad(
      "module_sets[2].module_ids[1]: \"liquidio\" does not sort after "
      "\"liquidio\" (expected module names ascending, each once)");
  t_ = valid;
  t_.mutable_module_sets(3)->set_module_ids(0, 0);
  ExpectBad("module_sets[3]: same modules as module_sets[1]");
  t_ = valid;
  t_.add_module_sets();
  ExpectBad("module_sets[4]: same modules as module_sets[0]");
}

TEST_F(SourcesCheck, State) {
  proto::InputSource* source = t_.add_sources();
  source->set_what("kallsyms");
  source->set_state(proto::InputSource::STATE_FOUND);
  EXPECT_TRUE(Check().ok());
  // proto3 enums are open: a newer writer's state parses, and is refused.
  source->set_state(static_cast<proto::InputSource::State>(9));
  ExpectBad(
      "sources[0].state: 9 (expected STATE_FOUND, STATE_MISSING or "
      "STATE_REJECTED)");
}

TEST_F(ObjectsCheck, PathsAndAnnotations) {
  proto::SymbolTable valid = t_;
  t_.mutable_objects(1)->set_path("");
  ExpectBad("objects[1].path: empty (expected an object file path)");
  t_.mutable_objects(1)->set_path("fs/inode.o");
  ExpectBad("objects[1].path: \"fs/inode.o\" duplicates objects[0]");
  t_ = valid;
  t_.mutable_objects(0)->set_annotation("node.o");
  ExpectBad(
      "objects[0].annotation: \"node.o\" is not a suffix of the path "
      "\"fs/inode.o\" (expected the path's end after a '/')");
  t_.mutable_objects(0)->set_annotation("core.o");
  ExpectBad(
      "objects[0].annotation: \"core.o\" is not a suffix of the path "
      "\"fs/inode.o\" (expected the path's end after a '/')");
  t_.mutable_objects(0)->set_annotation("fs/inode.o");  // the whole path
  EXPECT_TRUE(Check().ok());
}

class LoadedModulesCheck : public CheckTest {
 protected:
  absl::Status Check() override {
    Catalog c;
    return CheckTableLoadedModules(t_, kLabel, &c);
  }
  proto::LoadedModule* Add(const std::string& name) {
    proto::LoadedModule* m = t_.add_modules();
    m->set_name(name);
    return m;
  }
};

TEST_F(LoadedModulesCheck, NamesBuildIdsAndSections) {
  Add("ext4")->set_build_id("3a1f");
  ASSERT_TRUE(Check().ok());
  Add("ext4");
  ExpectBad("modules[1].name: \"ext4\" (expected a name after the previous "
            "module's, in byte order)");
  t_.mutable_modules(1)->set_name("fat");
  t_.mutable_modules(1)->set_build_id("3A1F");
  ExpectBad("modules[1].build_id: \"3A1F\" is not a build-id (expected an "
            "even number of lowercase hex digits)");
  t_.mutable_modules(1)->set_build_id("");
  t_.mutable_modules(1)->add_sections()->set_name(".text");
  t_.mutable_modules(1)->add_sections()->set_name(".data");
  ExpectBad("modules[1].sections[1].name: \".data\" (expected a name after "
            "the previous section's, in byte order)");
}

TEST_F(SymbolsCheck, ModuleAliasFirst) {
  s()->add_module_alias_first(1);
  ASSERT_TRUE(Check().ok());
  s()->add_module_alias_first(1);
  ExpectBad(absl::StrCat("symbols.module_alias_first[1]: 1 (expected "
                         "ascending symbol numbers below ",
                         s()->count(), ")"));
}

TEST_F(SymbolsCheck, ColumnLengths) {
  proto::SymbolTable valid = t_;
  s()->set_count(12);
  ExpectBad(
      "symbols.address_deltas: 11 entries for 12 symbols (expected "
      "symbols.count)");
  t_ = valid;
  s()->add_sizes(0);
  ExpectBad(
      "symbols.sizes: 12 entries for 11 symbols (expected none or "
      "symbols.count)");
  t_ = valid;
  s()->mutable_types()->pop_back();
  ExpectBad("symbols.types: 10 bytes for 11 symbols (expected symbols.count)");
  t_ = valid;
  s()->mutable_name_refs()->RemoveLast();
  ExpectBad(
      "symbols.name_refs: 10 entries for 11 symbols (expected symbols.count)");
  t_ = valid;
  s()->add_attribution_module_sets(0);
  ExpectBad(
      "symbols.attribution_module_sets: 6 entries for 5 runs (expected as "
      "many as symbols.attribution_run_lengths)");
  t_ = valid;
  s()->mutable_attribution_objects()->RemoveLast();
  ExpectBad(
      "symbols.attribution_objects: 4 entries for 5 runs (expected as many "
      "as symbols.attribution_run_lengths)");
}

TEST_F(SymbolsCheck, Names) {
  proto::SymbolTable valid = t_;
  s()->set_names(3, "");
  ExpectBad("symbols.names[3]: empty (expected a symbol name)");
  s()->set_names(3, std::string(512, 'x'));
  ExpectBad("symbols.names[3]: 512 bytes long (expected at most 511, the "
            "kernel's KSYM_NAME_LEN - 1)");
  s()->set_names(3, "a\tb");
  ExpectBad(
      "symbols.names[3]: \"a\\tb\" contains a space or control character "
      "(expected a symbol name)");
  s()->set_names(3, "_stext");
  ExpectBad("symbols.names[3]: \"_stext\" duplicates symbols.names[2]");
  t_ = valid;
  s()->add_names("never_used");
  ExpectBad(
      "symbols.names: 1 of 11 names are never used (expected each used by "
      "some symbol)");
}

TEST_F(SymbolsCheck, NameRefs) {
  s()->set_name_refs(7, 0);  // init_once's second use becomes a new name
  ExpectBad(
      "symbols.name_refs[10]: 0 introduces a new name, but all 10 "
      "symbols.names are in use (expected 1..10)");
  s()->set_name_refs(7, 9);  // names[8] comes later
  ExpectBad(
      "symbols.name_refs[7]: 9 refers to symbols.names[8], which no earlier "
      "symbol introduced (expected 0 or at most 7)");
}

TEST_F(SymbolsCheck, Attribution) {
  proto::SymbolTable valid = t_;
  s()->set_attribution_run_lengths(1, 0);
  ExpectBad("symbols.attribution_run_lengths[1]: 0 (expected at least 1)");
  t_ = valid;
  s()->set_attribution_run_lengths(4, 3);
  ExpectBad(
      "symbols.attribution_run_lengths: runs cover 12 symbols for 11 symbols "
      "(expected symbols.count)");
  t_ = valid;
  s()->set_attribution_module_sets(2, 4);
  ExpectBad(
      "symbols.attribution_module_sets[2]: 4 is out of range (expected less "
      "than 4, the size of module_sets)");
  t_ = valid;
  s()->set_attribution_objects(2, 3);
  ExpectBad(
      "symbols.attribution_objects[2]: 3 is out of range (expected 0 for "
      "none or k for objects[k - 1], k at most 2)");
  s()->set_attribution_objects(2, 2);  // the last object is in range
  EXPECT_TRUE(Check().ok());
}

TEST_F(SymbolsCheck, AddressOverflow) {
  // rapl_data is 0x1000 past rapl_cpu_online at 0xffffffffc0a01000.
  s()->set_address_deltas(10, 0x3f5ff000);
  ExpectBad(
      "symbols.address_deltas[10]: 0x3f5ff000 after 0xffffffffc0a01000 "
      "overflows 64 bits (expected addresses up to 0xffffffffffffffff)");
  s()->set_address_deltas(10, 0x3f5fefff);  // exactly the last address
  EXPECT_TRUE(Check().ok());
}

TEST_F(SymbolsCheck, SameAddressNamesOutOfOrder) {
  // Swap _stext and _text: both at 0xffffffff81000000.
  s()->set_name_refs(2, 0);
  s()->set_names(2, "_text");
  s()->set_names(3, "_stext");
  ExpectBad(
      "symbols[3]: \"_stext\" sorts before \"_text\" at the same address "
      "0xffffffff81000000 (expected ascending (address, name))");
}

TEST_F(SymbolsCheck, Types) {
  (*s()->mutable_types())[4] = '*';
  ExpectBad(
      "symbols.types[4]: byte 0x2a is not a type letter (expected a-z, A-Z "
      "or '?')");
  (*s()->mutable_types())[4] = '\0';
  ExpectBad(
      "symbols.types[4]: byte 0x00 is not a type letter (expected a-z, A-Z "
      "or '?')");
  (*s()->mutable_types())[4] = '?';  // nm's "unknown"
  EXPECT_TRUE(Check().ok());
}

TEST_F(SymbolsCheck, SizePastTheAddressSpace) {
  // rapl_data at 0xffffffffc0a02000; size 0x3f5fe000 would end at 2^64.
  s()->set_sizes(10, 0x3f5fe000 + 1);
  ExpectBad(
      "symbols.sizes[10]: exact size 0x3f5fe000 at 0xffffffffc0a02000 runs "
      "past the end of the address space (expected address + size below "
      "2^64)");
  s()->set_sizes(10, std::numeric_limits<uint64_t>::max());
  ExpectBad(
      "symbols.sizes[10]: exact size 0xfffffffffffffffe at "
      "0xffffffffc0a02000 runs past the end of the address space (expected "
      "address + size below 2^64)");
  s()->set_sizes(10, 0x3f5fdfff + 1);
  EXPECT_TRUE(Check().ok());
}

}  // namespace
}  // namespace ksym
