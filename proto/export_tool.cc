// Writes a ksym.proto.SymbolTable in all three formats and prints, one line
// per fact, what the C++ index reader answers, so another client (see
// client_test.sh) can decode the files and compare:
//
//   export_tool (--synthetic | --index INDEX) --out PREFIX [--every K]
//
// writes PREFIX.pb (binary), PREFIX.json and PREFIX.textproto and prints
//
//   identity release=6.1.0-test build_id=00ff... arch=x86_64 address_space=runtime kaslr_offset=469762048
//   counts symbols=312 module_names=4 module_sets=4 objects=9 names=305
//   sym 0 0x0 A fixed_percpu_data end=0x1000 inferred modules=- loadable=0 object=- annotation=-
//   line 0xffffffff81000148 leaf /usr/include/helper.h:3:5 ; inner kernel/outer.c:7:9 ; outer ...
//
// for every K-th symbol and the last (K = 1 by default), and with a line
// section, every address of every K-th line function: its frames innermost
// first (function, prefix + path:line:column). --synthetic builds a
// small deterministic kernel (aliases, nested and duplicate symbols, built-in
// and loadable modules, annotated objects) so the test needs no input file.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "proto/convert.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/format.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"

namespace ksym {
namespace {

Catalog SyntheticKernel() {
  Catalog c;
  c.identity.release = "6.1.0-test-amd64";
  c.identity.build_id = "00ff1234abcd5678ef90a1b2c3d4e5f601234567";
  c.identity.arch = "x86_64";
  c.identity.address_space = AddressSpace::kRuntime;
  c.identity.kaslr_offset = 0x1c000000;

  auto add = [&c](uint64_t address, std::string name, char type,
                  uint32_t module_set = kNoModules,
                  uint32_t object = kNoObject, uint64_t size = 0,
                  bool exact = false) {
    Symbol s;
    s.address = address;
    s.name = std::move(name);
    s.type = type;
    s.module_set = module_set;
    s.object = object;
    s.size = size;
    s.size_exact = exact;
    c.symbols.push_back(std::move(s));
  };

  // Per-cpu data near 0.
  add(0x0, "fixed_percpu_data", 'A');
  add(0x1000, "cpu_number", 'D');
  add(0x1008, "current_task", 'D');

  // Core kernel text from a few objects; some names repeat across objects.
  const uint32_t sched_core = c.InternObject("kernel/sched/core.o");
  const uint32_t time_core = c.InternObject("kernel/time/core.o");
  const uint32_t inode = c.InternObject("fs/inode.o");
  const uint32_t entry = c.InternObject("arch/x86/entry/entry_64.o");
  c.objects[sched_core].annotation = "sched/core.o";
  c.objects[time_core].annotation = "time/core.o";
  const uint32_t objects[] = {entry, sched_core, time_core, inode};
  uint64_t address = 0xffffffff81000000;
  add(address, "_stext", 'T', kNoModules, entry);
  add(address, "_text", 'T', kNoModules, entry);
  uint32_t lcg = 12345;
  auto next = [&lcg]() {
    lcg = lcg * 1103515245u + 12345u;
    return (lcg >> 8) & 0xffff;
  };
  for (int k = 0; k < 4; ++k) {
    for (int j = 0; j < 50; ++j) {
      address += 0x10 + (next() & 0x3f0);
      const bool exact = (next() & 3) != 0;
      const char type = (next() & 1) ? 't' : 'T';
      std::string name = absl::StrCat("fn_", k, "_", j);
      if (j % 17 == 5) name = "init_once";  // duplicate across objects
      add(address, name, type, kNoModules, objects[k], exact ? next() & 0xff : 0,
          exact);
    }
  }
  // A nested symbol inside an exact-sized outer one.
  address += 0x100;
  add(address, "outer", 't', kNoModules, inode, 0x100, true);
  add(address + 0x40, "inner", 't', kNoModules, inode, 0x20, true);
  add(address + 0x400, "_etext", 'T');
  add(address + 0x1000, "__start_rodata", 'R');
  add(address + 0x1010, "some_table", 'r', kNoModules, kNoObject, 0, true);

  // Built-in modules (one object shared by two modules) and a loadable one.
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  const uint32_t liquidio = c.InternModuleSet({"liquidio_vf", "liquidio"});
  const uint32_t rapl = c.InternModuleSet({"rapl"});
  c.loadable_module_sets.insert(rapl);
  const uint32_t super = c.InternObject("fs/ext4/super.o");
  const uint32_t mbox = c.InternObject(
      "drivers/net/ethernet/cavium/liquidio/cn23xx_vf_device.o");
  c.objects[mbox].annotation = "cn23xx_vf_device.o";
  address += 0x2000;
  for (int j = 0; j < 40; ++j) {
    address += 0x20 + (next() & 0x1f0);
    add(address, absl::StrCat("ext4_fn_", j), j % 3 ? 't' : 'T', ext4, super,
        0x18, true);
  }
  for (int j = 0; j < 20; ++j) {
    address += 0x40;
    add(address, j == 7 ? "init_once" : absl::StrCat("lio_fn_", j), 't',
        liquidio, mbox);
  }
  address = 0xffffffffc0a00000;
  for (int j = 0; j < 30; ++j) {
    address += 0x30;
    add(address, absl::StrCat("rapl_fn_", j), j == 29 ? 'd' : 't', rapl);
  }
  // Lines of two functions at link-time addresses: `outer` inlines
  // `inner` over two ranges (out of address order), which inlines `leaf`;
  // a statement row shares an offset with the row after it; a gap.
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "kernel/outer.c"}, {0, "/usr/include/helper.h"},
             {1, "fs/inode.c"}};
  t.names = {"outer", "inner", "leaf", "init_once"};
  t.rows = {{0x0, 1, 10, 0, true},  {0x40, 1, 9, 3, true},
            {0x40, 2, 3, 5, true},  {0x60, 0, 0, 0},
            {0x80, 1, 12, 1, true}, {0x4, 3, 700, 2, true},
            {0x10, 3, 705, 0}};
  t.inline_ranges = {{0x48, 0x80}, {0x40, 0x44}, {0x48, 0x50}};
  t.calls = {{1, kNoParent, 1, 11, 2, 0, 2}, {2, 0, 2, 7, 9, 2, 1}};
  t.functions = {{0, 0xffffffff81000100, 0x100, 0, 0, 5, 0, 2},
                 {0, 0xffffffff81000300, 0x30, 3, 5, 2, 2, 0}};
  c.lines = std::make_shared<const LineTable>(std::move(t));
  c.FinalizeSizes();
  return c;
}

std::string OrDash(absl::string_view s) {
  return s.empty() ? "-" : std::string(s);
}

absl::Status Dump(const IndexReader& r, uint64_t every) {
  std::printf("identity release=%s build_id=%s arch=%s address_space=%s "
              "kaslr_offset=%lld\n",
              OrDash(r.release()).c_str(), OrDash(r.build_id()).c_str(),
              OrDash(r.arch()).c_str(),
              r.address_space() == AddressSpace::kStatic ? "static" : "runtime",
              static_cast<long long>(r.kaslr_offset()));
  std::set<std::string> modules;
  for (uint32_t set = 0; set < r.module_set_count(); ++set) {
    for (size_t j = 0; j < r.ModuleSetSize(set); ++j) {
      modules.emplace(r.ModuleName(set, j));
    }
  }
  absl::flat_hash_set<std::string> names;
  for (uint64_t i = 0; i < r.symbol_count(); ++i) {
    names.insert(r.NameString(static_cast<uint32_t>(i)));
  }
  std::printf("counts symbols=%llu module_names=%zu module_sets=%u objects=%u "
              "names=%zu\n",
              static_cast<unsigned long long>(r.symbol_count()), modules.size(),
              r.module_set_count(), r.object_count(), names.size());
  const uint64_t n = r.symbol_count();
  for (uint64_t i = 0; i < n; ++i) {
    if (i % every != 0 && i + 1 != n) continue;
    const uint32_t s = static_cast<uint32_t>(i);
    const uint32_t set = r.ModuleSetOf(s);
    std::vector<std::string> mods;
    for (size_t j = 0; j < r.ModuleSetSize(set); ++j) {
      mods.emplace_back(r.ModuleName(set, j));
    }
    const uint32_t o = r.ObjectOf(s);
    const bool has_object = o != format::kNoObjectId;
    std::printf(
        "sym %llu 0x%llx %c %s end=0x%llx %s modules=%s loadable=%d "
        "object=%s annotation=%s\n",
        static_cast<unsigned long long>(i),
        static_cast<unsigned long long>(r.Address(s)), r.Type(s),
        r.NameString(s).c_str(), static_cast<unsigned long long>(r.End(s)),
        r.SizeExact(s) ? "exact" : "inferred",
        mods.empty() ? "-" : absl::StrJoin(mods, ",").c_str(),
        r.ModuleSetLoadable(set) ? 1 : 0,
        has_object ? std::string(r.ObjectPath(o)).c_str() : "-",
        has_object ? OrDash(r.ObjectAnnotation(o)).c_str() : "-");
  }
  if (!r.lines().present()) return absl::OkStatus();
  // Function extents from the table; answers from the section's lookup.
  absl::StatusOr<LineTable> t = r.lines().DecodeTable();
  if (!t.ok()) return t.status();
  std::printf("lines functions=%zu\n", t->functions.size());
  LineFrames frames;
  for (size_t k = 0; k < t->functions.size(); k += every) {
    const FunctionLines& f = t->functions[k];
    for (uint64_t a = f.start; a < f.start + f.size; ++a) {
      absl::StatusOr<bool> found = r.lines().Symbolize(a, &frames);
      if (!found.ok()) return found.status();
      std::vector<std::string> out;
      for (const LineFrame& fr : frames) {
        out.push_back(absl::StrCat(fr.function, " ", fr.prefix, fr.path, ":",
                                   fr.line, ":", fr.column));
      }
      std::printf("line 0x%llx %s\n", static_cast<unsigned long long>(a),
                  out.empty() ? "-" : absl::StrJoin(out, " ; ").c_str());
    }
  }
  return absl::OkStatus();
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  f.close();
  if (!f) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status Run(int argc, char** argv) {
  bool synthetic = false;
  std::string index_path, out;
  uint64_t every = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--synthetic") {
      synthetic = true;
    } else if (a == "--index" && i + 1 < argc) {
      index_path = argv[++i];
    } else if (a == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--every" && i + 1 < argc &&
               absl::SimpleAtoi(argv[i + 1], &every) && every > 0) {
      ++i;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "usage: export_tool (--synthetic | --index INDEX) --out PREFIX "
          "[--every K]; bad argument \"",
          a, "\""));
    }
  }
  if (synthetic == !index_path.empty() || out.empty()) {
    return absl::InvalidArgumentError(
        "usage: export_tool (--synthetic | --index INDEX) --out PREFIX "
        "[--every K]");
  }
  absl::StatusOr<std::unique_ptr<IndexReader>> reader;
  if (synthetic) {
    absl::StatusOr<std::string> bytes = SerializeIndex(SyntheticKernel());
    if (!bytes.ok()) return bytes.status();
    reader = IndexReader::FromBuffer(*std::move(bytes), "synthetic.ksym");
  } else {
    reader = IndexReader::Open(index_path);
  }
  if (!reader.ok()) return reader.status();
  absl::StatusOr<proto::SymbolTable> table = ExportSymbolTable(**reader, {.absolute = true});
  if (!table.ok()) return table.status();
  for (auto [format, suffix] :
       {std::make_pair(ProtoFormat::kBinary, ".pb"),
        std::make_pair(ProtoFormat::kJson, ".json"),
        std::make_pair(ProtoFormat::kTextProto, ".textproto")}) {
    absl::StatusOr<std::string> bytes = SerializeSymbolTable(*table, format);
    if (!bytes.ok()) return bytes.status();
    if (absl::Status st = WriteFile(out + suffix, *bytes); !st.ok()) return st;
  }
  return Dump(**reader, every);
}

}  // namespace
}  // namespace ksym

int main(int argc, char** argv) {
  absl::Status st = ksym::Run(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "export_tool: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}
