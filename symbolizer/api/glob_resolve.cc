#include "symbolizer/api/glob_resolve.h"

#include <fnmatch.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

// The name part: up to the first blank, '+', or ':' of `mod:name` (whose
// name part follows the colon).
void SplitName(absl::string_view query, absl::string_view* prefix,
               absl::string_view* name, absl::string_view* rest) {
  size_t begin = 0;
  const size_t colon = query.find(':');
  const size_t blank = query.find_first_of(" \t+");
  if (colon != absl::string_view::npos && colon < blank) begin = colon + 1;
  size_t end = query.find_first_of(" \t+", begin);
  if (end == absl::string_view::npos) end = query.size();
  *prefix = query.substr(0, begin);
  *name = query.substr(begin, end - begin);
  *rest = query.substr(end);
}

}  // namespace

bool IsGlobQuery(absl::string_view query) {
  absl::string_view prefix, name, rest;
  SplitName(query, &prefix, &name, &rest);
  return name.find_first_of("*?") != absl::string_view::npos;
}

absl::StatusOr<std::vector<Candidate>> ResolveGlob(const Symbolizer& s,
                                                   absl::string_view query) {
  if (!IsGlobQuery(query)) return s.Resolve(query);
  absl::string_view prefix, name, rest;
  SplitName(query, &prefix, &name, &rest);
  const std::string pattern(name);
  std::set<std::string> names;  // sorted: a stable output order
  char buf[SymbolInfo::kNameCapacity + 1];
  const uint32_t n = s.index().symbol_count();
  for (uint32_t i = 0; i < n; ++i) {
    const size_t len = s.Name(i, buf, sizeof(buf));
    if (len >= sizeof(buf)) continue;
    if (fnmatch(pattern.c_str(), buf, 0) == 0) names.insert(buf);
  }
  std::vector<Candidate> out;
  for (const std::string& match : names) {
    absl::StatusOr<std::vector<Candidate>> c =
        s.Resolve(absl::StrCat(prefix, match, rest));
    if (!c.ok()) return c.status();
    out.insert(out.end(), c->begin(), c->end());
  }
  return out;
}

}  // namespace ksym
