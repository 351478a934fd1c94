#include "capi/testing/line_index.h"

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/sources/elf/line_table.h"

namespace {

constexpr uint64_t kOpen = 0xffffffff81000100;

ksym::Symbol Sym(uint64_t address, const char* name, char type,
                 uint64_t size) {
  ksym::Symbol s;
  s.address = address;
  s.name = name;
  s.type = type;
  s.size = size;
  s.size_exact = size != 0;
  return s;
}

std::shared_ptr<const ksym::LineTable> Lines() {
  ksym::LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{},
             {1, "fs/open.c"},
             {1, "fs/namei.c"},
             {0, "/usr/include/x.h"},
             {1, "arch/x86/entry/\x01" "entry.S"}};
  t.names = {"do_open", "getname", "copy_name", ""};
  t.rows = {{0x0, 1, 10, 0}, {0x8, 2, 5, 1}, {0x10, 3, 2, 4},
            {0x20, 1, 30, 0}, {0x0, 4, 40, 0}};
  t.inline_ranges = {{0x8, 0x20}, {0x10, 0x18}};
  t.calls = {{1, ksym::kNoParent, 1, 20, 3, 0, 1}, {2, 0, 2, 7, 9, 1, 1}};
  t.functions = {{0, kOpen, 0x40, 0, 0, 4, 0, 2},
                 {0, kOpen + 0x80, 0x10, 3, 4, 1, 2, 0}};
  return std::make_shared<const ksym::LineTable>(std::move(t));
}

}  // namespace

extern "C" int capi_test_write_module_line_index(const char* path) {
  ksym::Catalog c;
  c.identity.address_space = ksym::AddressSpace::kRuntime;
  c.identity.kaslr_offset_known = false;
  c.symbols.push_back(Sym(0xffffffff81000000, "_text", 'T', 0));
  const uint32_t fat = c.InternModuleSet({"fat"});
  c.loadable_module_sets.insert(fat);
  ksym::Symbol s = Sym(0xffffffffc0a01000, "fat_fill_super", 't', 0x40);
  s.module_set = fat;
  c.symbols.push_back(s);
  ksym::LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "fs/fat/inode.c"}, {1, "fs/fat/fat.h"}};
  t.names = {"fat_fill_super", "fat_setup"};
  t.rows = {{0x0, 1, 1690, 0}, {0x10, 2, 7, 2}, {0x20, 1, 1710, 0}};
  t.inline_ranges = {{0x10, 0x20}};
  t.calls = {{1, ksym::kNoParent, 1, 1700, 5, 0, 1}};
  t.functions = {{0, 0xffffffffc0a01000, 0x40, 0, 0, 3, 0, 1}};
  c.module_lines = std::make_shared<const ksym::LineTable>(std::move(t));
  ksym::LoadedModuleRecord m;
  m.name = "fat";
  m.base = 0xffffffffc0a00000;
  m.size = 0x10000;
  m.symbols_from_ko = true;
  m.debug_read = true;
  m.sections = {{".text", 0xffffffffc0a01000}};
  c.modules.push_back(m);
  c.FinalizeSizes();
  absl::StatusOr<std::string> bytes = ksym::SerializeIndex(c);
  absl::Status written =
      bytes.ok() ? ksym::WriteIndexAtomically(path, *bytes) : bytes.status();
  if (!written.ok()) {
    std::fprintf(stderr, "capi_test_write_module_line_index: %s\n",
                 written.ToString().c_str());
    return -1;
  }
  return 0;
}

extern "C" int capi_test_write_line_index(const char* path, int with_lines) {
  ksym::Catalog c;
  c.identity.address_space = ksym::AddressSpace::kStatic;
  c.symbols.push_back(Sym(0xffffffff81000000, "_text", 'T', 0));
  c.symbols.push_back(Sym(kOpen, "do_open", 't', 0x40));
  c.symbols.push_back(Sym(kOpen + 0x40, "asm_fn", 'T', 0x10));
  c.symbols.push_back(Sym(kOpen + 0x80, "entry_asm", 'T', 0x10));
  if (with_lines) {
    c.lines = Lines();
    c.sources.push_back(
        {"line tables", "vmlinux", ksym::SourceState::kFound, ""});
  } else {
    c.sources.push_back({"line tables", "vmlinux",
                         ksym::SourceState::kMissing,
                         "not read: built with --no-lines"});
  }
  c.FinalizeSizes();
  absl::StatusOr<std::string> bytes = ksym::SerializeIndex(c);
  absl::Status written =
      bytes.ok() ? ksym::WriteIndexAtomically(path, *bytes) : bytes.status();
  if (!written.ok()) {
    std::fprintf(stderr, "capi_test_write_line_index: %s\n",
                 written.ToString().c_str());
    return -1;
  }
  return 0;
}
