// Symbolizer: names of symbols as ksym prints them (name, qualified name
// "name [mod] {obj.o}", /proc/kallmodsyms line). See symbolizer.h.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace {

// snprintf-style appends into a caller's buffer; len counts every byte
// that would have been written.
struct BoundedWriter {
  char* buf;
  size_t cap;
  size_t len = 0;
  void Append(absl::string_view s) {
    if (len + 1 < cap) {
      const size_t n = std::min(cap - 1 - len, s.size());
      if (n > 0) std::memcpy(buf + len, s.data(), n);
    }
    len += s.size();
  }
  size_t Finish() {
    if (cap > 0) buf[std::min(len, cap - 1)] = '\0';
    return len;
  }
};

}  // namespace

size_t Symbolizer::Name(uint32_t index, char* buf, size_t cap) const {
  char name[IndexReader::kMaxNameLength];
  BoundedWriter w{buf, cap};
  w.Append(absl::string_view(name, index_->Name(index, name, sizeof(name))));
  return w.Finish();
}

size_t Symbolizer::QualifiedName(uint32_t index, char* buf, size_t cap) const {
  char name[IndexReader::kMaxNameLength];
  SymbolFacts f;
  FillFacts(index, &f, kUnknownEnd);
  const size_t n = index_->TypeAndName(index, &f.type, name, sizeof(name));
  BoundedWriter w{buf, cap};
  w.Append(absl::string_view(name, n));
  QualifierWriter qualifiers([&w](absl::string_view s) { w.Append(s); });
  ForEachDisplayModule(f, [&](absl::string_view m) { qualifiers.Module(m); });
  qualifiers.Object(DisplayObject(f));
  return w.Finish();
}

std::vector<absl::string_view> Symbolizer::DisplayModules(
    const SymbolFacts& s) const {
  std::vector<absl::string_view> mods;
  ForEachDisplayModule(s, [&](absl::string_view m) { mods.push_back(m); });
  return mods;
}

absl::string_view Symbolizer::DisplayObject(const SymbolFacts& s) const {
  return DisplayObject(s.object, s.type);
}

absl::string_view Symbolizer::DisplayObject(uint32_t object, char type) const {
  return index_->ObjectAnnotation(object, NameKindOf(type));
}

std::string Symbolizer::QualifiedName(const SymbolInfo& s) const {
  return FormatQualifiedName(s.name(), DisplayModules(s), DisplayObject(s));
}

std::string Symbolizer::KallmodsymsLine(const SymbolInfo& s) const {
  std::string out = absl::StrFormat("%016x %c ", s.address, s.type);
  out.append(s.name().data(), s.name().size());
  AppendQualifiers(DisplayModules(s), DisplayObject(s), &out, "\t");
  return out;
}

}  // namespace ksym
