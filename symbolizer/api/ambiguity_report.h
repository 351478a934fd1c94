// Why names stay ambiguous, for `ksym info` (every name whose qualified
// form is still shared by symbols of one kind, text or data: catalog.h
// NameKind) and `ksym why NAME` (every symbol of one
// name, its facts, and what would separate the ones that stay ambiguous).
//
//   std::vector<AmbiguousGroup> all = AmbiguousGroups(s);
//   // all[0].qualified == "type_show", all[0].reason == "2 of 2 have no
//   //   object file: ...", all[0].remedy == "..."
//   std::string text = WhyText(s, "init_once");
//
// The reason is derived from what the index holds: symbols without an
// object file (the build had no DWARF or linker map covering them, or
// they come from a loadable module's kallsyms lines), symbols that share
// one object file (a pre-linked `ld -r` object, or two static functions of
// one name in one file: nothing in the build output tells them apart).
#ifndef KSYM_SYMBOLIZER_API_AMBIGUITY_REPORT_H_
#define KSYM_SYMBOLIZER_API_AMBIGUITY_REPORT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// Symbols of one kind sharing one qualified name; or (kind kData) one data
// symbol printed as a function of its name is, with those functions: the
// name selects the function, the data symbol only by address.
struct AmbiguousGroup {
  std::string qualified;
  NameKind kind = NameKind::kText;
  std::vector<SymbolInfo> symbols;  // address order
  std::string reason;
  std::string remedy;
};

// Every qualified name shared by several symbols of one kind, sorted by
// name (text before data at the same name).
std::vector<AmbiguousGroup> AmbiguousGroups(const Symbolizer& s);

// The reason and remedy of one group (fills them in).
void ExplainGroup(const Symbolizer& s, AmbiguousGroup* group);

// `ksym why NAME`: every symbol named `name`, one block each (address,
// size, type, modules and whether built-in or loadable, object path, the
// query that selects it), then each group still ambiguous with its reason
// and remedy. Empty when the index has no such name.
std::string WhyText(const Symbolizer& s, absl::string_view name);
// The symbol name `why` explains for any query `ksym resolve` takes
// (`init_once [ext4]`, `ext4:init_once`, `init_once+0x12/0x70`): the
// query itself when symbols have that name, else the name of what it
// matches; "" when it matches nothing or is not a query.
std::string WhyName(const Symbolizer& s, absl::string_view query);
// The same as one JSON object: {"name":..,"symbols":[{symbol fields
// (json_records.h), "module_kind", "select"}],"ambiguous":[{"qualified",
// "symbols","reason","remedy"}]}.
std::string WhyJson(const Symbolizer& s, absl::string_view name);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_AMBIGUITY_REPORT_H_
