#include "proto/export.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "proto/lines.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/format.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

// proto3 `string` fields must hold UTF-8; the parsers reject anything else.
absl::Status CheckUtf8(absl::string_view s, absl::string_view what) {
  if (FirstInvalidUtf8(s) == absl::string_view::npos) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, " \"", absl::CHexEscape(s),
                   "\" is not UTF-8, which protobuf strings must be"));
}

// Which symbols a link-time export keeps, at which address, in table order.
struct ExportOrder {
  std::vector<std::pair<uint64_t, uint32_t>> symbols;  // (address, symbol)
  uint64_t left_out = 0;  // loadable-module symbols
};

ExportOrder AbsoluteOrder(const IndexReader& index) {
  ExportOrder o;
  o.symbols.reserve(index.symbol_count());
  for (uint64_t i = 0; i < index.symbol_count(); ++i) {
    const uint32_t sym = static_cast<uint32_t>(i);
    o.symbols.push_back({index.Address(sym), sym});
  }
  return o;
}

// Core-kernel symbols from the lowest core text address up (the kernel
// image, which KASLR moves) go back by the slide; core symbols below it
// (per-cpu offsets near 0, which KASLR does not move) stay; loadable-module
// symbols have no link-time address and are left out.
ExportOrder LinkTimeOrder(const IndexReader& index) {
  const uint64_t slide = static_cast<uint64_t>(index.kaslr_offset());
  ExportOrder o;
  uint64_t image_start = 0;
  for (uint64_t i = 0; i < index.symbol_count(); ++i) {
    const uint32_t sym = static_cast<uint32_t>(i);
    if (IsTextType(index.Type(sym)) &&
        !index.ModuleSetLoadable(index.ModuleSetOf(sym))) {
      image_start = index.Address(sym);
      break;
    }
  }
  std::vector<std::pair<std::pair<uint64_t, std::string>, uint32_t>> keyed;
  for (uint64_t i = 0; i < index.symbol_count(); ++i) {
    const uint32_t sym = static_cast<uint32_t>(i);
    if (index.ModuleSetLoadable(index.ModuleSetOf(sym))) {
      ++o.left_out;
      continue;
    }
    uint64_t a = index.Address(sym);
    if (a >= image_start) a -= slide;
    keyed.push_back({{a, index.NameString(sym)}, sym});
  }
  std::sort(keyed.begin(), keyed.end());
  o.symbols.reserve(keyed.size());
  for (const auto& k : keyed) o.symbols.push_back({k.first.first, k.second});
  return o;
}

}  // namespace

unsigned ExportFileMode(const IndexReader& index, ExportOptions options) {
  return index.address_space() == AddressSpace::kRuntime && options.absolute
             ? 0600
             : 0644;
}

absl::StatusOr<proto::SymbolTable> ExportSymbolTable(const IndexReader& index,
                                                     ExportOptions options,
                                                     std::string* note) {
  if (note != nullptr) note->clear();
  ExportOrder order;
  const bool link_time =
      index.address_space() == AddressSpace::kRuntime && !options.absolute;
  if (link_time) {
    if (!index.kaslr_offset_known()) {
      return absl::FailedPreconditionError(
          "the index holds runtime addresses (they reveal the KASLR slide) "
          "and no link-time base to convert them to: build it with "
          "--system-map or --vmlinux too, or export the runtime addresses "
          "with --absolute (then keep the file private)");
    }
    order = LinkTimeOrder(index);
    if (note != nullptr) {
      *note = absl::StrCat(
          "exported link-time addresses (the KASLR slide subtracted; "
          "--absolute keeps runtime addresses)",
          order.left_out == 0
              ? ""
              : absl::StrCat("; ", order.left_out,
                             " loadable-module symbols left out: their load "
                             "addresses exist only at runtime"));
    }
  } else {
    order = AbsoluteOrder(index);
  }
  proto::SymbolTable t;
  t.set_version(kSymbolTableVersion);

  proto::KernelIdentity* id = t.mutable_identity();
  for (auto [value, what] :
       {std::make_pair(index.release(), "release"),
        std::make_pair(index.build_id(), "build-id"),
        std::make_pair(index.arch(), "arch")}) {
    if (absl::Status st = CheckUtf8(value, what); !st.ok()) return st;
  }
  id->set_release(std::string(index.release()));
  id->set_build_id(std::string(index.build_id()));
  id->set_arch(std::string(index.arch()));
  id->set_address_space(index.address_space() == AddressSpace::kStatic ||
                                link_time
                            ? proto::ADDRESS_SPACE_STATIC
                            : proto::ADDRESS_SPACE_RUNTIME);
  id->set_kaslr_offset(link_time ? 0 : index.kaslr_offset());
  id->set_kaslr_offset_unknown(!link_time && !index.kaslr_offset_known());
  for (const IndexReader::Source& s : index.sources()) {
    for (absl::string_view v : {s.what, s.path, s.why}) {
      if (absl::Status st = CheckUtf8(v, "source"); !st.ok()) return st;
    }
    proto::InputSource* p = t.add_sources();
    p->set_what(std::string(s.what));
    p->set_path(std::string(s.path));
    p->set_why(std::string(s.why));
    p->set_state(static_cast<proto::InputSource::State>(s.state));
  }

  // Loadable modules have runtime addresses only: a link-time table
  // leaves them out with their symbols.
  for (uint32_t k = 0; !link_time && k < index.module_count(); ++k) {
    const IndexReader::Module m = index.ModuleAt(k);
    if (absl::Status st = CheckUtf8(m.name, "module name"); !st.ok()) {
      return st;
    }
    proto::LoadedModule* p = t.add_modules();
    p->set_name(std::string(m.name));
    p->set_base(m.base);
    p->set_size(m.size);
    p->set_range_inferred(m.range_inferred);
    p->set_build_id(std::string(m.build_id));
    p->set_symbols_from_ko(m.symbols_from_ko);
    p->set_debug_read(m.debug_read);
    for (uint32_t j = m.first_section; j < m.first_section + m.section_count;
         ++j) {
      const auto [name, address] = index.ModuleSectionAt(j);
      if (absl::Status st = CheckUtf8(name, "module section name");
          !st.ok()) {
        return st;
      }
      proto::LoadedModule::Section* sec = p->add_sections();
      sec->set_name(std::string(name));
      sec->set_address(address);
    }
  }

  // Module names sorted, so each set's ids ascend with its names.
  std::vector<absl::string_view> modules;
  for (uint32_t set = 0; set < index.module_set_count(); ++set) {
    for (size_t j = 0; j < index.ModuleSetSize(set); ++j) {
      modules.push_back(index.ModuleName(set, j));
    }
  }
  std::sort(modules.begin(), modules.end());
  modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
  for (absl::string_view m : modules) {
    if (absl::Status st = CheckUtf8(m, "module name"); !st.ok()) return st;
    t.add_module_names(std::string(m));
  }
  for (uint32_t set = 0; set < index.module_set_count(); ++set) {
    proto::ModuleSet* ms = t.add_module_sets();
    ms->set_loadable(index.ModuleSetLoadable(set));
    for (size_t j = 0; j < index.ModuleSetSize(set); ++j) {
      ms->add_module_ids(static_cast<uint32_t>(
          std::lower_bound(modules.begin(), modules.end(),
                           index.ModuleName(set, j)) -
          modules.begin()));
    }
  }

  for (uint32_t o = 0; o < index.object_count(); ++o) {
    if (absl::Status st = CheckUtf8(index.ObjectPath(o), "object path");
        !st.ok()) {
      return st;
    }
    proto::ObjectFile* of = t.add_objects();
    of->set_path(std::string(index.ObjectPath(o)));
    of->set_annotation(
        std::string(index.ObjectAnnotation(o, NameKind::kText)));
    of->set_data_annotation(
        std::string(index.ObjectAnnotation(o, NameKind::kData)));
    of->set_module_rule(index.ObjectModuleRule(o));
  }

  proto::SymbolColumns* s = t.mutable_symbols();
  const uint64_t n = order.symbols.size();
  s->set_count(n);
  s->mutable_address_deltas()->Reserve(static_cast<int>(n));
  s->mutable_name_refs()->Reserve(static_cast<int>(n));
  std::string* types = s->mutable_types();
  types->reserve(n);
  bool any_exact = false;
  absl::flat_hash_map<std::string, uint32_t> name_ids;
  uint64_t previous = 0;
  uint32_t run_set = 0, run_object = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t sym = order.symbols[i].second;
    const uint64_t address = order.symbols[i].first;
    s->add_address_deltas(i == 0 ? address : address - previous);
    previous = address;
    types->push_back(index.Type(sym));
    any_exact = any_exact || index.SizeExact(sym);

    std::string name = index.NameString(sym);
    auto it = name_ids.find(name);
    if (it == name_ids.end()) {
      if (absl::Status st = CheckUtf8(name, "symbol name"); !st.ok()) {
        return st;
      }
      const uint32_t k = static_cast<uint32_t>(name_ids.size());
      s->add_names(name);
      name_ids.emplace(std::move(name), k);
      s->add_name_refs(0);
    } else {
      s->add_name_refs(it->second + 1);
    }

    const uint32_t set = index.ModuleSetOf(sym);
    const uint32_t object = index.ObjectOf(sym);
    const uint32_t object_ref = object == format::kNoObjectId ? 0 : object + 1;
    if (i == 0 || set != run_set || object_ref != run_object) {
      s->add_attribution_run_lengths(0);
      s->add_attribution_module_sets(set);
      s->add_attribution_objects(object_ref);
      run_set = set;
      run_object = object_ref;
    }
    const int last = s->attribution_run_lengths_size() - 1;
    s->set_attribution_run_lengths(last, s->attribution_run_lengths(last) + 1);
    if (index.ModuleAliasFirst(sym)) {
      s->add_module_alias_first(static_cast<uint32_t>(i));
    }
  }
  if (any_exact) {
    s->mutable_sizes()->Reserve(static_cast<int>(n));
    for (uint64_t i = 0; i < n; ++i) {
      const uint32_t sym = order.symbols[i].second;
      s->add_sizes(index.SizeExact(sym)
                       ? index.End(sym) - index.Address(sym) + 1
                       : 0);
    }
  }
  // Link-time addresses in every table (ksym.proto LineTable).
  if (index.lines().present()) {
    if (absl::Status st = ExportLines(index.lines(), t.mutable_lines(), note);
        !st.ok()) {
      return st;
    }
  }
  // Load addresses: a runtime table's only (with the modules' symbols).
  if (index.module_lines().present() && !link_time) {
    if (absl::Status st = ExportLines(index.module_lines(),
                                      t.mutable_module_lines(), note);
        !st.ok()) {
      return st;
    }
  }
  return t;
}

absl::StatusOr<std::string> ExportSymbolTableBytes(const IndexReader& index,
                                                   ProtoFormat format,
                                                   ExportOptions options,
                                                   std::string* note) {
  absl::StatusOr<proto::SymbolTable> table =
      ExportSymbolTable(index, options, note);
  if (!table.ok()) return table.status();
  return SerializeSymbolTable(*table, format);
}

}  // namespace ksym
