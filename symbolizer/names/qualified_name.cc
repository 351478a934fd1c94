#include "symbolizer/names/qualified_name.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ksym {
namespace {

constexpr absl::string_view kModuleFileSuffixes[] = {
    ".ko", ".ko.xz", ".ko.zst", ".ko.gz", ".ko.debug"};

absl::string_view BaseName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

absl::Status Error(absl::string_view text, size_t at, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "qualified name \"", text, "\": at byte ", at, ": ", what));
}

}  // namespace

bool IsModuleNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '-';
}

bool IsModuleNameText(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsModuleNameChar(c)) return false;
  }
  return true;
}

std::string NormalizeModuleName(absl::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-' || c == ',') c = '_';
  }
  return out;
}

std::string ModuleNameOfPath(absl::string_view path) {
  absl::string_view base = BaseName(path);
  for (absl::string_view suffix : kModuleFileSuffixes) {
    if (absl::ConsumeSuffix(&base, suffix)) return NormalizeModuleName(base);
  }
  absl::ConsumeSuffix(&base, ".o");
  return NormalizeModuleName(base);
}

bool IsModuleFileName(absl::string_view path) {
  const absl::string_view base = BaseName(path);
  for (absl::string_view suffix : kModuleFileSuffixes) {
    if (base.size() > suffix.size() && absl::EndsWith(base, suffix)) return true;
  }
  return false;
}

std::optional<ModuleBracketToken> ScanModuleBracket(absl::string_view text) {
  if (text.empty() || text[0] != '[') return std::nullopt;
  size_t q = 1;
  while (q < text.size() && IsModuleNameChar(text[q])) ++q;
  if (q == 1) return std::nullopt;
  ModuleBracketToken b;
  b.module = text.substr(1, q - 1);
  if (q < text.size() && text[q] == ' ') {
    const size_t id = q + 1;
    q = id;
    while (q < text.size() && absl::ascii_isxdigit(text[q])) ++q;
    if (q == id) return std::nullopt;
    b.build_id = text.substr(id, q - id);
  }
  if (q >= text.size() || text[q] != ']') return std::nullopt;
  b.size = q + 1;
  return b;
}

std::optional<ObjectBraceToken> ScanObjectBrace(absl::string_view text) {
  if (text.empty() || text[0] != '{') return std::nullopt;
  size_t q = 1;
  while (q < text.size() && !IsBlank(text[q]) && text[q] != '{' &&
         text[q] != '}') {
    ++q;
  }
  if (q == 1 || q >= text.size() || text[q] != '}') return std::nullopt;
  ObjectBraceToken o;
  o.object = text.substr(1, q - 1);
  o.size = q + 1;
  return o;
}

bool IsObjectPathSuffix(absl::string_view suffix) {
  for (absl::string_view part : absl::StrSplit(suffix, '/')) {
    if (part.empty()) return false;
    for (char c : part) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '[' ||
          c == ']' || c == '{' || c == '}') {
        return false;
      }
    }
  }
  return true;
}

absl::StatusOr<QualifiedNameParts> ParseQualifiedName(absl::string_view text) {
  QualifiedNameParts out;
  size_t p = 0;
  while (p < text.size() && text[p] != ' ' && text[p] != '\t') ++p;
  if (p == 0) return Error(text, 0, "expected a symbol name");
  out.name = std::string(text.substr(0, p));
  bool first = true;
  while (p < text.size()) {
    const char sep = text[p];
    if (sep != ' ' && !(first && sep == '\t')) {
      return Error(text, p, "expected \" [module]\" or \" {object}\"");
    }
    ++p;
    first = false;
    const absl::string_view rest = text.substr(p);
    if (!out.object.empty()) {
      return Error(text, p, "expected nothing after {object}");
    }
    if (std::optional<ModuleBracketToken> b = ScanModuleBracket(rest)) {
      if (!b->build_id.empty()) {
        return Error(text, p, "expected [module] without a build id");
      }
      out.modules.emplace_back(b->module);
      p += b->size;
    } else if (std::optional<ObjectBraceToken> o = ScanObjectBrace(rest)) {
      out.object = std::string(o->object);
      p += o->size;
    } else {
      return Error(text, p, "expected [module] or {object}");
    }
  }
  return out;
}

}  // namespace ksym
