#include "proto/convert.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "symbolizer/index/format.h"

namespace ksym {
namespace {

// ---- export ----

// proto3 `string` fields must hold UTF-8; the parsers reject anything else.
bool IsUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

absl::Status CheckUtf8(absl::string_view s, absl::string_view what) {
  if (IsUtf8(s)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " \"", absl::CHexEscape(s),
                   "\" is not UTF-8, which protobuf strings must be"));
}

// ---- import ----

// Builds "LABEL: FIELD: WHAT" errors.
class Errors {
 public:
  explicit Errors(absl::string_view label) : label_(label) {}
  absl::Status Bad(absl::string_view field, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(label_, ": ", field, ": ", what));
  }

 private:
  absl::string_view label_;
};

std::string Indexed(absl::string_view field, uint64_t i) {
  return absl::StrCat(field, "[", i, "]");
}

std::string Quote(absl::string_view s) {
  return absl::StrCat("\"", absl::CHexEscape(s), "\"");
}

bool IsTypeLetter(unsigned char c) { return absl::ascii_isalpha(c) || c == '?'; }

// Kernel symbol and module names are printed space-separated by kallsyms:
// whitespace or control bytes in one would make its lines ambiguous.
bool HasSpaceOrControl(absl::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

// The annotation is the whole path or a suffix starting after a '/'.
bool IsAnnotationOf(absl::string_view annotation, absl::string_view path) {
  if (!absl::EndsWith(path, annotation)) return false;
  const size_t start = path.size() - annotation.size();
  return start == 0 || path[start - 1] == '/';
}

absl::Status CheckIdentity(const proto::KernelIdentity& id, const Errors& e,
                           KernelIdentity* out) {
  switch (id.address_space()) {
    case proto::ADDRESS_SPACE_STATIC:
      out->address_space = AddressSpace::kStatic;
      break;
    case proto::ADDRESS_SPACE_RUNTIME:
      out->address_space = AddressSpace::kRuntime;
      break;
    case proto::ADDRESS_SPACE_UNSPECIFIED:
      return e.Bad("identity.address_space",
                   "ADDRESS_SPACE_UNSPECIFIED (expected ADDRESS_SPACE_STATIC "
                   "or ADDRESS_SPACE_RUNTIME)");
    default:
      return e.Bad("identity.address_space",
                   absl::StrCat("unknown value ", id.address_space(),
                                " (expected ADDRESS_SPACE_STATIC or "
                                "ADDRESS_SPACE_RUNTIME)"));
  }
  const std::string& b = id.build_id();
  bool hex = b.size() % 2 == 0;
  for (char c : b) hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
  if (!hex) {
    return e.Bad("identity.build_id",
                 absl::StrCat(Quote(b), " is not a build-id (expected an even "
                                        "number of lowercase hex digits)"));
  }
  out->release = id.release();
  out->build_id = b;
  out->arch = id.arch();
  out->kaslr_offset = id.kaslr_offset();
  out->kaslr_offset_known = !id.kaslr_offset_unknown();
  return absl::OkStatus();
}

absl::Status CheckModules(const proto::SymbolTable& t, const Errors& e,
                          Catalog* c) {
  const auto& names = t.module_names();
  absl::flat_hash_map<absl::string_view, int> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    const std::string field = Indexed("module_names", i);
    if (n.empty()) return e.Bad(field, "empty (expected a module name)");
    if (HasSpaceOrControl(n)) {
      return e.Bad(field, absl::StrCat(Quote(n),
                                       " contains a space or control "
                                       "character (expected a module name)"));
    }
    auto [it, inserted] = seen.emplace(n, i);
    if (!inserted) {
      return e.Bad(field, absl::StrCat(Quote(n), " duplicates module_names[",
                                       it->second, "]"));
    }
  }
  const auto& sets = t.module_sets();
  if (sets.empty()) {
    return e.Bad("module_sets",
                 "empty (expected set 0, the empty set of the core kernel)");
  }
  if (!sets[0].module_ids().empty()) {
    return e.Bad("module_sets[0]",
                 absl::StrCat("has ", sets[0].module_ids().size(),
                              " modules (expected none: set 0 is the core "
                              "kernel)"));
  }
  for (int k = 0; k < sets.size(); ++k) {
    const auto& ids = sets[k].module_ids();
    std::vector<std::string> members;
    members.reserve(ids.size());
    for (int j = 0; j < ids.size(); ++j) {
      const std::string field =
          absl::StrCat(Indexed("module_sets", k), ".", Indexed("module_ids", j));
      if (ids[j] >= static_cast<uint32_t>(names.size())) {
        return e.Bad(field,
                     absl::StrCat(ids[j], " is out of range (expected less "
                                          "than ",
                                  names.size(), ", the size of module_names)"));
      }
      const std::string& name = names[ids[j]];
      if (!members.empty() && !(members.back() < name)) {
        return e.Bad(field,
                     absl::StrCat(Quote(name), " does not sort after ",
                                  Quote(members.back()),
                                  " (expected module names ascending, each "
                                  "once)"));
      }
      members.push_back(name);
    }
    if (k == 0) continue;  // the catalog starts with the empty set
    const uint32_t id = c->InternModuleSet(std::move(members));
    if (id != static_cast<uint32_t>(k)) {
      return e.Bad(Indexed("module_sets", k),
                   absl::StrCat("same modules as module_sets[", id, "]"));
    }
  }
  for (int k = 0; k < sets.size(); ++k) {
    if (sets[k].loadable()) c->loadable_module_sets.insert(k);
  }
  return absl::OkStatus();
}

absl::Status CheckObjects(const proto::SymbolTable& t, const Errors& e,
                          Catalog* c) {
  const auto& objects = t.objects();
  for (int k = 0; k < objects.size(); ++k) {
    const proto::ObjectFile& o = objects[k];
    const std::string field = Indexed("objects", k);
    if (o.path().empty()) {
      return e.Bad(field + ".path", "empty (expected an object file path)");
    }
    const uint32_t id = c->InternObject(o.path());
    if (id != static_cast<uint32_t>(k)) {
      return e.Bad(field + ".path", absl::StrCat(Quote(o.path()),
                                                 " duplicates objects[", id,
                                                 "]"));
    }
    if (!o.annotation().empty() && !IsAnnotationOf(o.annotation(), o.path())) {
      return e.Bad(field + ".annotation",
                   absl::StrCat(Quote(o.annotation()),
                                " is not a suffix of the path ", Quote(o.path()),
                                " (expected the path's end after a '/')"));
    }
    c->objects[k].annotation = o.annotation();
  }
  return absl::OkStatus();
}

absl::Status CheckColumnLength(const Errors& e, absl::string_view field,
                               uint64_t have, uint64_t count,
                               absl::string_view unit = "entries") {
  if (have == count) return absl::OkStatus();
  return e.Bad(field, absl::StrCat(have, " ", unit, " for ", count,
                                   " symbols (expected symbols.count)"));
}

absl::Status CheckSymbols(const proto::SymbolColumns& s, const Errors& e,
                          Catalog* c) {
  const uint64_t n = s.count();
  if (absl::Status st = CheckColumnLength(e, "symbols.address_deltas",
                                          s.address_deltas_size(), n);
      !st.ok()) {
    return st;
  }
  if (s.sizes_size() != 0 && static_cast<uint64_t>(s.sizes_size()) != n) {
    return e.Bad("symbols.sizes",
                 absl::StrCat(s.sizes_size(), " entries for ", n,
                              " symbols (expected none or symbols.count)"));
  }
  if (absl::Status st =
          CheckColumnLength(e, "symbols.types", s.types().size(), n, "bytes");
      !st.ok()) {
    return st;
  }
  if (absl::Status st =
          CheckColumnLength(e, "symbols.name_refs", s.name_refs_size(), n);
      !st.ok()) {
    return st;
  }
  const int runs = s.attribution_run_lengths_size();
  for (const auto& [field, size] :
       {std::make_pair("symbols.attribution_module_sets",
                       s.attribution_module_sets_size()),
        std::make_pair("symbols.attribution_objects",
                       s.attribution_objects_size())}) {
    if (size != runs) {
      return e.Bad(field, absl::StrCat(size, " entries for ", runs,
                                       " runs (expected as many as "
                                       "symbols.attribution_run_lengths)"));
    }
  }

  // Names table.
  const auto& names = s.names();
  {
    absl::flat_hash_map<absl::string_view, int> seen;
    for (int k = 0; k < names.size(); ++k) {
      const std::string& name = names[k];
      const std::string field = Indexed("symbols.names", k);
      if (name.empty()) return e.Bad(field, "empty (expected a symbol name)");
      if (name.size() > kMaxSymbolNameLength) {
        return e.Bad(field, absl::StrCat(name.size(),
                                         " bytes long (expected at most ",
                                         kMaxSymbolNameLength,
                                         ", the kernel's KSYM_NAME_LEN - 1)"));
      }
      if (HasSpaceOrControl(name)) {
        return e.Bad(field, absl::StrCat(Quote(name),
                                         " contains a space or control "
                                         "character (expected a symbol "
                                         "name)"));
      }
      auto [it, inserted] = seen.emplace(name, k);
      if (!inserted) {
        return e.Bad(field, absl::StrCat(Quote(name),
                                         " duplicates symbols.names[",
                                         it->second, "]"));
      }
    }
  }

  // Attribution runs.
  uint64_t covered = 0;
  for (int r = 0; r < runs; ++r) {
    if (s.attribution_run_lengths(r) == 0) {
      return e.Bad(Indexed("symbols.attribution_run_lengths", r),
                   "0 (expected at least 1)");
    }
    covered += s.attribution_run_lengths(r);
    if (s.attribution_module_sets(r) >= c->module_sets.size()) {
      return e.Bad(Indexed("symbols.attribution_module_sets", r),
                   absl::StrCat(s.attribution_module_sets(r),
                                " is out of range (expected less than ",
                                c->module_sets.size(),
                                ", the size of module_sets)"));
    }
    if (s.attribution_objects(r) > c->objects.size()) {
      return e.Bad(Indexed("symbols.attribution_objects", r),
                   absl::StrCat(s.attribution_objects(r),
                                " is out of range (expected 0 for none or "
                                "k for objects[k - 1], k at most ",
                                c->objects.size(), ")"));
    }
  }
  if (covered != n) {
    return e.Bad("symbols.attribution_run_lengths",
                 absl::StrCat("runs cover ", covered, " symbols for ", n,
                              " symbols (expected symbols.count)"));
  }

  c->symbols.clear();
  c->symbols.reserve(n);
  uint64_t address = 0;
  int introduced = 0;  // names[0, introduced) have been used
  int run = 0;
  uint64_t run_left = runs > 0 ? s.attribution_run_lengths(0) : 0;
  for (uint64_t i = 0; i < n; ++i) {
    Symbol sym;
    const uint64_t delta = s.address_deltas(i);
    if (i > 0 && delta > std::numeric_limits<uint64_t>::max() - address) {
      return e.Bad(Indexed("symbols.address_deltas", i),
                   absl::StrCat("0x", absl::Hex(delta), " after 0x",
                                absl::Hex(address),
                                " overflows 64 bits (expected addresses up "
                                "to 0xffffffffffffffff)"));
    }
    address = i == 0 ? delta : address + delta;
    sym.address = address;

    const uint32_t ref = s.name_refs(i);
    int name_index;
    if (ref == 0) {
      if (introduced == names.size()) {
        return e.Bad(Indexed("symbols.name_refs", i),
                     absl::StrCat("0 introduces a new name, but all ",
                                  names.size(),
                                  " symbols.names are in use (expected 1..",
                                  names.size(), ")"));
      }
      name_index = introduced++;
    } else {
      if (ref > static_cast<uint32_t>(introduced)) {
        return e.Bad(Indexed("symbols.name_refs", i),
                     absl::StrCat(ref, " refers to symbols.names[", ref - 1,
                                  "], which no earlier symbol introduced "
                                  "(expected 0 or at most ",
                                  introduced, ")"));
      }
      name_index = static_cast<int>(ref - 1);
    }
    sym.name = names[name_index];
    if (i > 0 && delta == 0 && sym.name < c->symbols.back().name) {
      return e.Bad(Indexed("symbols", i),
                   absl::StrCat(Quote(sym.name), " sorts before ",
                                Quote(c->symbols.back().name),
                                " at the same address 0x", absl::Hex(address),
                                " (expected ascending (address, name))"));
    }

    const unsigned char type = s.types()[i];
    if (!IsTypeLetter(type)) {
      return e.Bad(Indexed("symbols.types", i),
                   absl::StrCat("byte 0x", absl::Hex(type, absl::kZeroPad2),
                                " is not a type letter (expected a-z, A-Z "
                                "or '?')"));
    }
    sym.type = static_cast<char>(type);

    if (s.sizes_size() != 0 && s.sizes(i) != 0) {
      const uint64_t size = s.sizes(i) - 1;
      if (size > std::numeric_limits<uint64_t>::max() - address) {
        return e.Bad(Indexed("symbols.sizes", i),
                     absl::StrCat("exact size 0x", absl::Hex(size), " at 0x",
                                  absl::Hex(address),
                                  " runs past the end of the address space "
                                  "(expected address + size below 2^64)"));
      }
      sym.size = size;
      sym.size_exact = true;
    }

    while (run_left == 0) run_left = s.attribution_run_lengths(++run);
    --run_left;
    sym.module_set = s.attribution_module_sets(run);
    const uint32_t object = s.attribution_objects(run);
    sym.object = object == 0 ? kNoObject : object - 1;
    c->symbols.push_back(std::move(sym));
  }
  if (introduced != names.size()) {
    return e.Bad("symbols.names",
                 absl::StrCat(names.size() - introduced, " of ", names.size(),
                              " names are never used (expected each used by "
                              "some symbol)"));
  }
  // Sorted already (checked above): this only fills the inferred sizes.
  c->FinalizeSizes();
  return absl::OkStatus();
}

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(absl::string_view label) : label_(label) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) {
      first_ = absl::StrCat(label_, ":", line + 1, ":", column + 1, ": ",
                            message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string label_;
  std::string first_;
};

}  // namespace

absl::StatusOr<ProtoFormat> ParseProtoFormat(absl::string_view name) {
  if (name == "binary") return ProtoFormat::kBinary;
  if (name == "textproto" || name == "text" || name == "pbtxt") {
    return ProtoFormat::kTextProto;
  }
  if (name == "json") return ProtoFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format \"", name,
                   "\" (expected binary, textproto or json)"));
}

ProtoFormat ProtoFormatForPath(absl::string_view path) {
  if (absl::EndsWith(path, ".json")) return ProtoFormat::kJson;
  if (absl::EndsWith(path, ".textproto") || absl::EndsWith(path, ".txtpb") ||
      absl::EndsWith(path, ".pbtxt")) {
    return ProtoFormat::kTextProto;
  }
  return ProtoFormat::kBinary;
}

namespace {

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
    of->set_annotation(std::string(index.ObjectAnnotation(o)));
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
  return t;
}

absl::StatusOr<std::string> SerializeSymbolTable(
    const proto::SymbolTable& table, ProtoFormat format) {
  std::string out;
  switch (format) {
    case ProtoFormat::kBinary:
      if (!table.SerializeToString(&out)) {
        return absl::InvalidArgumentError(
            "cannot serialize the symbol table (over 2 GiB?)");
      }
      return out;
    case ProtoFormat::kTextProto: {
      google::protobuf::TextFormat::Printer printer;
      if (!printer.PrintToString(table, &out)) {
        return absl::InternalError("cannot print the symbol table as text");
      }
      return out;
    }
    case ProtoFormat::kJson: {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.add_whitespace = true;
      google::protobuf::util::Status st =
          google::protobuf::util::MessageToJsonString(table, &out, options);
      if (!st.ok()) {
        return absl::InternalError(absl::StrCat(
            "cannot print the symbol table as JSON: ", st.ToString()));
      }
      return out;
    }
  }
  return absl::InvalidArgumentError("unknown format");
}

absl::StatusOr<proto::SymbolTable> ParseSymbolTable(absl::string_view bytes,
                                                    ProtoFormat format,
                                                    absl::string_view label) {
  proto::SymbolTable table;
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": ", bytes.size(), " bytes is too large (expected at most ",
        INT_MAX, ")"));
  }
  switch (format) {
    case ProtoFormat::kBinary:
      if (!table.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return absl::InvalidArgumentError(absl::StrCat(
            label, ": not a ksym.proto.SymbolTable in protobuf binary format "
                   "(truncated, or a string that is not UTF-8?)"));
      }
      return table;
    case ProtoFormat::kTextProto: {
      google::protobuf::TextFormat::Parser parser;
      CollectErrors errors(label);
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(std::string(bytes), &table)) {
        return absl::InvalidArgumentError(
            errors.first().empty()
                ? absl::StrCat(label, ": not a ksym.proto.SymbolTable in text "
                                      "format")
                : errors.first());
      }
      return table;
    }
    case ProtoFormat::kJson: {
      google::protobuf::util::Status st =
          google::protobuf::util::JsonStringToMessage(
              google::protobuf::StringPiece(bytes.data(), bytes.size()),
              &table);
      if (!st.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(label, ": not a ksym.proto.SymbolTable in JSON: ",
                         std::string(st.message())));
      }
      return table;
    }
  }
  return absl::InvalidArgumentError("unknown format");
}

absl::StatusOr<Catalog> ImportSymbolTable(const proto::SymbolTable& table,
                                          absl::string_view label) {
  const Errors e(label);
  if (table.version() == 0) {
    return e.Bad("version", absl::StrCat("missing (expected ",
                                         kSymbolTableVersion, ")"));
  }
  if (table.version() > kSymbolTableVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": version: ", table.version(),
        " is newer than this reader (expected at most ", kSymbolTableVersion,
        ")"));
  }
  Catalog c;
  if (absl::Status st = CheckIdentity(table.identity(), e, &c.identity);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckModules(table, e, &c); !st.ok()) return st;
  for (int i = 0; i < table.sources_size(); ++i) {
    const proto::InputSource& s = table.sources(i);
    if (!proto::InputSource::State_IsValid(s.state())) {
      return e.Bad(absl::StrCat(Indexed("sources", i), ".state"),
                   absl::StrCat(s.state(), " (expected STATE_FOUND, "
                                           "STATE_MISSING or STATE_REJECTED)"));
    }
    c.sources.push_back({s.what(), s.path(),
                         static_cast<SourceState>(s.state()), s.why()});
  }
  if (absl::Status st = CheckObjects(table, e, &c); !st.ok()) return st;
  if (absl::Status st = CheckSymbols(table.symbols(), e, &c); !st.ok()) {
    return st;
  }
  return c;
}

absl::StatusOr<Catalog> ImportSymbolTableBytes(absl::string_view bytes,
                                               ProtoFormat format,
                                               absl::string_view label) {
  absl::StatusOr<proto::SymbolTable> table =
      ParseSymbolTable(bytes, format, label);
  if (!table.ok()) return table.status();
  return ImportSymbolTable(*table, label);
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
