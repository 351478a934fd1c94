// Fuzzes ParseQuery and checks the documented round trip: ToString() of a
// parsed query parses back to an equal query. Also ObjectSuffixMatches on
// the input split at its first NUL.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "symbolizer/query/query_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t nul = text.find('\0');
  if (nul != absl::string_view::npos) {
    const absl::string_view path = text.substr(0, nul);
    const absl::string_view suffix = text.substr(nul + 1);
    const bool match = ksym::ObjectSuffixMatches(path, suffix);
    // Every path ends with itself.
    if (!ksym::ObjectSuffixMatches(path, path)) std::abort();
    (void)match;
  }
  auto query = ksym::ParseQuery(text);
  if (!query.ok()) return 0;
  const std::string canonical = query->ToString();
  auto again = ksym::ParseQuery(canonical);
  if (!again.ok() || *again != *query) {
    std::fprintf(stderr, "round trip failed: '%s' -> '%s' -> %s\n",
                 std::string(text).c_str(), canonical.c_str(),
                 again.ok() ? again->ToString().c_str()
                            : again.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
