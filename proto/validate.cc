#include "proto/validate.h"

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
#include "proto/proto_format.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

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

// The annotation is the whole path or a suffix starting after a '/'.
// A build-id as the index keeps it: an even number of lowercase hex
// digits, or none.
bool IsBuildIdHex(absl::string_view b) {
  bool hex = b.size() % 2 == 0;
  for (char c : b) hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
  return hex;
}

bool IsAnnotationOf(absl::string_view annotation, absl::string_view path) {
  if (!absl::EndsWith(path, annotation)) return false;
  const size_t start = path.size() - annotation.size();
  return start == 0 || path[start - 1] == '/';
}

absl::Status CheckColumnLength(const Errors& e, absl::string_view field,
                               uint64_t have, uint64_t count,
                               absl::string_view unit = "entries") {
  if (have == count) return absl::OkStatus();
  return e.Bad(field, absl::StrCat(have, " ", unit, " for ", count,
                                   " symbols (expected symbols.count)"));
}

}  // namespace

absl::Status CheckTableVersion(const proto::SymbolTable& table,
                               absl::string_view label) {
  if (table.version() == 0) {
    return Errors(label).Bad("version", absl::StrCat("missing (expected ",
                                                     kSymbolTableVersion, ")"));
  }
  if (table.version() > kSymbolTableVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": version: ", table.version(),
        " is newer than this reader (expected at most ", kSymbolTableVersion,
        ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckTableIdentity(const proto::KernelIdentity& id,
                                absl::string_view label, KernelIdentity* out) {
  const Errors e(label);
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
  if (!IsBuildIdHex(b)) {
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

absl::Status CheckTableModules(const proto::SymbolTable& t,
                               absl::string_view label, Catalog* c) {
  const Errors e(label);
  const auto& names = t.module_names();
  absl::flat_hash_map<absl::string_view, int> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    const std::string field = Indexed("module_names", i);
    if (n.empty()) return e.Bad(field, "empty (expected a module name)");
    if (HasBlankOrControl(n)) {
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

absl::Status CheckTableSources(const proto::SymbolTable& t,
                               absl::string_view label, Catalog* c) {
  for (int i = 0; i < t.sources_size(); ++i) {
    const proto::InputSource& s = t.sources(i);
    if (!proto::InputSource::State_IsValid(s.state())) {
      return Errors(label).Bad(
          absl::StrCat(Indexed("sources", i), ".state"),
          absl::StrCat(s.state(), " (expected STATE_FOUND, "
                                  "STATE_MISSING or STATE_REJECTED)"));
    }
    c->sources.push_back({s.what(), s.path(),
                          static_cast<SourceState>(s.state()), s.why()});
  }
  return absl::OkStatus();
}

absl::Status CheckTableLoadedModules(const proto::SymbolTable& t,
                                     absl::string_view label, Catalog* c) {
  const Errors e(label);
  for (int k = 0; k < t.modules_size(); ++k) {
    const proto::LoadedModule& m = t.modules(k);
    const std::string field = Indexed("modules", k);
    if (m.name().empty() || (k > 0 && !(t.modules(k - 1).name() < m.name()))) {
      return e.Bad(field + ".name",
                   absl::StrCat(Quote(m.name()),
                                " (expected a name after the previous "
                                "module's, in byte order)"));
    }
    if (!IsBuildIdHex(m.build_id())) {
      return e.Bad(field + ".build_id",
                   absl::StrCat(Quote(m.build_id()),
                                " is not a build-id (expected an even number "
                                "of lowercase hex digits)"));
    }
    LoadedModuleRecord r;
    r.name = m.name();
    r.base = m.base();
    r.size = m.size();
    r.range_inferred = m.range_inferred();
    r.build_id = m.build_id();
    r.symbols_from_ko = m.symbols_from_ko();
    r.debug_read = m.debug_read();
    for (int j = 0; j < m.sections_size(); ++j) {
      const proto::LoadedModule::Section& sec = m.sections(j);
      if (sec.name().empty() ||
          (j > 0 && !(m.sections(j - 1).name() < sec.name()))) {
        return e.Bad(absl::StrCat(field, ".", Indexed("sections", j), ".name"),
                     absl::StrCat(Quote(sec.name()),
                                  " (expected a name after the previous "
                                  "section's, in byte order)"));
      }
      r.sections.push_back({sec.name(), sec.address()});
    }
    c->modules.push_back(std::move(r));
  }
  return absl::OkStatus();
}

absl::Status CheckTableObjects(const proto::SymbolTable& t,
                               absl::string_view label, Catalog* c) {
  const Errors e(label);
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
    for (const auto& [name, annotation] :
         {std::make_pair("annotation", &o.annotation()),
          std::make_pair("data_annotation", &o.data_annotation())}) {
      if (!annotation->empty() && !IsAnnotationOf(*annotation, o.path())) {
        return e.Bad(absl::StrCat(field, ".", name),
                     absl::StrCat(Quote(*annotation),
                                  " is not a suffix of the path ",
                                  Quote(o.path()),
                                  " (expected the path's end after a '/')"));
      }
    }
    c->objects[k].annotation = o.annotation();
    c->objects[k].data_annotation = o.data_annotation();
    if (o.module_rule() > 0xff) {
      return e.Bad(field + ".module_rule",
                   absl::StrCat(o.module_rule(),
                                " is out of range (expected 0..255, a rule "
                                "of the index's kModuleRules)"));
    }
    c->objects[k].module_rule = static_cast<uint8_t>(o.module_rule());
  }
  return absl::OkStatus();
}

namespace {

// Every column as long as symbols.count says (sizes may be empty), and the
// three attribution columns as long as each other.
absl::Status CheckSymbolColumnLengths(const Errors& e,
                                      const proto::SymbolColumns& s) {
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
  return absl::OkStatus();
}

// The names table: each a kernel symbol name, none twice.
absl::Status CheckSymbolNames(
    const Errors& e, const google::protobuf::RepeatedPtrField<std::string>& names) {
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
    if (HasBlankOrControl(name)) {
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
  return absl::OkStatus();
}

// Attribution runs: none empty, references in range, covering every symbol.
absl::Status CheckAttributionRuns(const Errors& e,
                                  const proto::SymbolColumns& s,
                                  const Catalog& c) {
  uint64_t covered = 0;
  for (int r = 0; r < s.attribution_run_lengths_size(); ++r) {
    if (s.attribution_run_lengths(r) == 0) {
      return e.Bad(Indexed("symbols.attribution_run_lengths", r),
                   "0 (expected at least 1)");
    }
    covered += s.attribution_run_lengths(r);
    if (s.attribution_module_sets(r) >= c.module_sets.size()) {
      return e.Bad(Indexed("symbols.attribution_module_sets", r),
                   absl::StrCat(s.attribution_module_sets(r),
                                " is out of range (expected less than ",
                                c.module_sets.size(),
                                ", the size of module_sets)"));
    }
    if (s.attribution_objects(r) > c.objects.size()) {
      return e.Bad(Indexed("symbols.attribution_objects", r),
                   absl::StrCat(s.attribution_objects(r),
                                " is out of range (expected 0 for none or "
                                "k for objects[k - 1], k at most ",
                                c.objects.size(), ")"));
    }
  }
  if (covered != s.count()) {
    return e.Bad("symbols.attribution_run_lengths",
                 absl::StrCat("runs cover ", covered, " symbols for ",
                              s.count(), " symbols (expected symbols.count)"));
  }
  return absl::OkStatus();
}

// Reads the symbol columns row by row (lengths, names and runs checked
// already): each row's address, name, type, size and attribution.
class SymbolRows {
 public:
  SymbolRows(const Errors& e, const proto::SymbolColumns& s)
      : e_(e),
        s_(s),
        run_left_(s.attribution_run_lengths_size() > 0
                      ? s.attribution_run_lengths(0)
                      : 0) {}

  absl::Status Read(uint64_t i, const Symbol* previous, Symbol* sym) {
    if (absl::Status st = Address(i, sym); !st.ok()) return st;
    if (absl::Status st = Name(i, sym); !st.ok()) return st;
    if (previous != nullptr && sym->address == previous->address &&
        sym->name < previous->name) {
      return e_.Bad(Indexed("symbols", i),
                    absl::StrCat(Quote(sym->name), " sorts before ",
                                 Quote(previous->name), " at the same address 0x",
                                 absl::Hex(sym->address),
                                 " (expected ascending (address, name))"));
    }
    if (absl::Status st = Type(i, sym); !st.ok()) return st;
    if (absl::Status st = Size(i, sym); !st.ok()) return st;
    Attribution(sym);
    return absl::OkStatus();
  }

  // All names were used (each table name introduced by some symbol).
  absl::Status CheckAllNamesUsed() const {
    const int count = s_.names().size();
    if (introduced_ == count) return absl::OkStatus();
    return e_.Bad("symbols.names",
                  absl::StrCat(count - introduced_, " of ", count,
                               " names are never used (expected each used by "
                               "some symbol)"));
  }

 private:
  absl::Status Address(uint64_t i, Symbol* sym) {
    const uint64_t delta = s_.address_deltas(i);
    if (i > 0 && delta > std::numeric_limits<uint64_t>::max() - address_) {
      return e_.Bad(Indexed("symbols.address_deltas", i),
                    absl::StrCat("0x", absl::Hex(delta), " after 0x",
                                 absl::Hex(address_),
                                 " overflows 64 bits (expected addresses up "
                                 "to 0xffffffffffffffff)"));
    }
    address_ = i == 0 ? delta : address_ + delta;
    sym->address = address_;
    return absl::OkStatus();
  }

  // 0 introduces the next table name; k refers to names[k - 1], which an
  // earlier symbol must have introduced.
  absl::Status Name(uint64_t i, Symbol* sym) {
    const auto& names = s_.names();
    const uint32_t ref = s_.name_refs(i);
    int name_index;
    if (ref == 0) {
      if (introduced_ == names.size()) {
        return e_.Bad(Indexed("symbols.name_refs", i),
                      absl::StrCat("0 introduces a new name, but all ",
                                   names.size(),
                                   " symbols.names are in use (expected 1..",
                                   names.size(), ")"));
      }
      name_index = introduced_++;
    } else {
      if (ref > static_cast<uint32_t>(introduced_)) {
        return e_.Bad(Indexed("symbols.name_refs", i),
                      absl::StrCat(ref, " refers to symbols.names[", ref - 1,
                                   "], which no earlier symbol introduced "
                                   "(expected 0 or at most ",
                                   introduced_, ")"));
      }
      name_index = static_cast<int>(ref - 1);
    }
    sym->name = names[name_index];
    return absl::OkStatus();
  }

  absl::Status Type(uint64_t i, Symbol* sym) const {
    const unsigned char type = s_.types()[i];
    if (!IsTypeLetter(type)) {
      return e_.Bad(Indexed("symbols.types", i),
                    absl::StrCat("byte 0x", absl::Hex(type, absl::kZeroPad2),
                                 " is not a type letter (expected a-z, A-Z "
                                 "or '?')"));
    }
    sym->type = static_cast<char>(type);
    return absl::OkStatus();
  }

  // sizes[i] is 0 for an inferred size, else the exact size + 1.
  absl::Status Size(uint64_t i, Symbol* sym) const {
    if (s_.sizes_size() == 0 || s_.sizes(i) == 0) return absl::OkStatus();
    const uint64_t size = s_.sizes(i) - 1;
    if (size > std::numeric_limits<uint64_t>::max() - sym->address) {
      return e_.Bad(Indexed("symbols.sizes", i),
                    absl::StrCat("exact size 0x", absl::Hex(size), " at 0x",
                                 absl::Hex(sym->address),
                                 " runs past the end of the address space "
                                 "(expected address + size below 2^64)"));
    }
    sym->size = size;
    sym->size_exact = true;
    return absl::OkStatus();
  }

  void Attribution(Symbol* sym) {
    while (run_left_ == 0) run_left_ = s_.attribution_run_lengths(++run_);
    --run_left_;
    sym->module_set = s_.attribution_module_sets(run_);
    const uint32_t object = s_.attribution_objects(run_);
    sym->object = object == 0 ? kNoObject : object - 1;
  }

  const Errors& e_;
  const proto::SymbolColumns& s_;
  uint64_t address_ = 0;
  int introduced_ = 0;  // names[0, introduced_) have been used
  int run_ = 0;
  uint64_t run_left_;
};

// symbols.module_alias_first: ascending symbol numbers, each marked.
absl::Status MarkModuleAliasFirst(const Errors& e,
                                  const proto::SymbolColumns& s, Catalog* c) {
  const uint64_t n = c->symbols.size();
  for (int k = 0; k < s.module_alias_first_size(); ++k) {
    const uint32_t sym = s.module_alias_first(k);
    if (sym >= n || (k > 0 && sym <= s.module_alias_first(k - 1))) {
      return e.Bad(Indexed("symbols.module_alias_first", k),
                   absl::StrCat(sym, " (expected ascending symbol numbers "
                                     "below ", n, ")"));
    }
    c->symbols[sym].module_alias_first = true;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTableSymbols(const proto::SymbolColumns& s,
                               absl::string_view label, Catalog* c) {
  const Errors e(label);
  if (absl::Status st = CheckSymbolColumnLengths(e, s); !st.ok()) return st;
  if (absl::Status st = CheckSymbolNames(e, s.names()); !st.ok()) return st;
  if (absl::Status st = CheckAttributionRuns(e, s, *c); !st.ok()) return st;
  c->symbols.clear();
  c->symbols.reserve(s.count());
  SymbolRows rows(e, s);
  for (uint64_t i = 0; i < s.count(); ++i) {
    Symbol sym;
    const Symbol* previous = i > 0 ? &c->symbols.back() : nullptr;
    if (absl::Status st = rows.Read(i, previous, &sym); !st.ok()) return st;
    c->symbols.push_back(std::move(sym));
  }
  if (absl::Status st = rows.CheckAllNamesUsed(); !st.ok()) return st;
  if (absl::Status st = MarkModuleAliasFirst(e, s, c); !st.ok()) return st;
  // Sorted already (checked above): this only fills the inferred sizes.
  c->FinalizeSizes();
  return absl::OkStatus();
}

}  // namespace ksym
