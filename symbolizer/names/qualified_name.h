// The qualified-name grammar, once: how ksym prints a kernel symbol's
// unique name and how every parser reads its parts back.
//
//   init_once [fat] [vfat] {fs/inode.o}            qualified name
//   ffffffff81370450 t init_once\t[fat] {inode.o}  /proc/kallmodsyms line
//   ext4_fill_super+0x1c/0x40 [ext4 8b2c...b7f1]   stack-trace frame
//
// After the symbol name come zero or more module brackets `[MOD]` (a
// stack trace may add the build id: `[MOD BUILDID]`), then at most one
// object brace `{OBJ}`, each preceded by one separator: a space, or a tab
// before the first qualifier of a /proc/kallmodsyms line. Module names are
// KBUILD_MODNAME: the module's file name with kbuild's name-fix applied
// ('-' and ',' become '_'), so `[crc32c-intel]` names crc32c_intel.
//
// QualifierWriter formats (into any byte sink: a std::string, a caller's
// bounded buffer); ScanModuleBracket / ScanObjectBrace read one qualifier
// at a position, for the query parser (query/query_parser.h) and the
// frame parser (rewriter/frame_parser.h); ParseQualifiedName reads a whole
// printed name back (qualified_name_test.cc: every printed form parses
// back to the same parts).
#ifndef KSYM_SYMBOLIZER_NAMES_QUALIFIED_NAME_H_
#define KSYM_SYMBOLIZER_NAMES_QUALIFIED_NAME_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ksym {

// ---- Symbol names.

// A byte of ksym's query syntax (name+0xOFF/0xLEN, mod:name, name @0xADDR,
// [mod], {obj}, globs * and ?). No kernel symbol name holds one (C
// identifiers, '.' suffixes, '$' in mapping and Rust symbols: none in the
// Debian 6.1 amd64 or arm64 System.map, vmlinux .symtab or modules); a name
// that did would be printed but no query could select it, so every source
// of names refuses it (kallsyms, System.map) or leaves it out and says so
// (ELF .symtab).
constexpr bool IsQuerySyntaxByte(char c) {
  return c == '+' || c == ':' || c == '@' || c == '[' || c == ']' ||
         c == '{' || c == '}' || c == '*' || c == '?';
}

// The first byte of `name` IsQuerySyntaxByte, or nullptr.
inline const char* FindQuerySyntaxByte(absl::string_view name) {
  for (const char& c : name) {
    if (IsQuerySyntaxByte(c)) return &c;
  }
  return nullptr;
}

// ---- Module names.

// A byte of a module name as users, stack traces and file names spell it:
// letters, digits, '_' and '-' (normalised to '_').
bool IsModuleNameChar(char c);
// Nonempty and every byte IsModuleNameChar.
bool IsModuleNameText(absl::string_view text);
// kbuild's name-fix (scripts/Makefile.lib): '-' and ',' become '_'.
std::string NormalizeModuleName(absl::string_view name);
// The module a file belongs to, by its name: the base name without one of
// the suffixes a module's files carry (.ko, .ko.xz, .ko.zst, .ko.gz,
// .ko.debug, .o), name-fixed: "kernel/fs/nls/nls_iso8859-1.ko.xz" ->
// "nls_iso8859_1".
std::string ModuleNameOfPath(absl::string_view path);
// Whether `path`'s base name carries a loadable module file suffix (.ko,
// .ko.xz, .ko.zst, .ko.gz, .ko.debug) after a nonempty name.
bool IsModuleFileName(absl::string_view path);

// ---- Printing.

// Appends the qualifiers of one name to a byte sink, `append(string_view)`,
// in the grammar's order: modules first, then the object.
//
//   std::string out = "init_once";
//   QualifierWriter w(StringAppender(&out));
//   w.Module("fat"); w.Object("fs/inode.o");   // init_once [fat] {fs/inode.o}
//
// `first_separator` is "\t" for /proc/kallmodsyms lines.
template <typename Append>
class QualifierWriter {
 public:
  explicit QualifierWriter(Append append, absl::string_view first_separator = " ")
      : append_(std::move(append)), separator_(first_separator) {}

  void Module(absl::string_view module) {
    append_(separator_);
    append_("[");
    append_(module);
    append_("]");
    separator_ = " ";
  }
  // Nothing for an empty object (the symbol has no annotation).
  void Object(absl::string_view object) {
    if (object.empty()) return;
    append_(separator_);
    append_("{");
    append_(object);
    append_("}");
    separator_ = " ";
  }
  template <typename Range>
  void Modules(const Range& modules) {
    for (const auto& m : modules) Module(m);
  }

 private:
  Append append_;
  absl::string_view separator_;
};

// The sink for a std::string.
struct StringAppender {
  std::string* out;
  void operator()(absl::string_view s) const { out->append(s.data(), s.size()); }
};

// Appends " [m1] [m2] {obj}" (no object when `object` is empty).
template <typename Modules>
void AppendQualifiers(const Modules& modules, absl::string_view object,
                      std::string* out, absl::string_view first_separator = " ") {
  QualifierWriter<StringAppender> w(StringAppender{out}, first_separator);
  w.Modules(modules);
  w.Object(object);
}

// "name [m1] [m2] {obj}".
template <typename Modules>
std::string FormatQualifiedName(absl::string_view name, const Modules& modules,
                                absl::string_view object) {
  std::string out(name);
  AppendQualifiers(modules, object, &out);
  return out;
}

// ---- Reading.

// "[MOD]" or "[MOD BUILDID]" (BUILDID: one or more hex digits) at the
// start of `text`.
struct ModuleBracketToken {
  size_t size = 0;              // bytes of the bracket, '[' to ']'
  absl::string_view module;     // "ext4", as written (not name-fixed)
  absl::string_view build_id;   // "" when absent
};
std::optional<ModuleBracketToken> ScanModuleBracket(absl::string_view text);

// "{OBJ}" at the start of `text`: OBJ is one or more bytes, none of them a
// blank (' ', '\t', '\r') or a brace.
struct ObjectBraceToken {
  size_t size = 0;           // bytes of the brace, '{' to '}'
  absl::string_view object;  // "fs/inode.o", as written
};
std::optional<ObjectBraceToken> ScanObjectBrace(absl::string_view text);

// Whether `suffix` is an object path suffix a query may name: '/'-separated
// nonempty parts without whitespace, brackets or braces.
bool IsObjectPathSuffix(absl::string_view suffix);

// A qualified name's parts, as printed (modules not name-fixed).
struct QualifiedNameParts {
  std::string name;
  std::vector<std::string> modules;
  std::string object;
  bool operator==(const QualifiedNameParts& o) const {
    return name == o.name && modules == o.modules && object == o.object;
  }
};

// Reads back what FormatQualifiedName (or a /proc/kallmodsyms line's text
// after "ADDRESS TYPE ") prints: the name up to the first blank, then
// qualifiers each after one space or tab. InvalidArgument naming the text
// and the position otherwise.
absl::StatusOr<QualifiedNameParts> ParseQualifiedName(absl::string_view text);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_NAMES_QUALIFIED_NAME_H_
