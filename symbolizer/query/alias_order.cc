#include "symbolizer/query/alias_order.h"

#include "absl/strings/match.h"

namespace ksym {

bool MayBeLinkerScriptProvided(absl::string_view name) {
  if (name.size() < 8 || !absl::StartsWith(name, "__")) return false;
  const absl::string_view rest = name.substr(2);
  return absl::StartsWith(rest, "start_") || absl::StartsWith(rest, "stop_") ||
         absl::StartsWith(rest, "end_") || absl::EndsWith(name, "_start") ||
         absl::EndsWith(name, "_end");
}

uint64_t AliasRank(char type, absl::string_view name) {
  const bool absolute = type == 'a' || type == 'A';
  const bool weak = type == 'w' || type == 'W';
  uint64_t underscores = 0;
  while (underscores < name.size() && name[underscores] == '_') ++underscores;
  return (uint64_t{absolute} << 63) | (uint64_t{weak} << 62) |
         (uint64_t{MayBeLinkerScriptProvided(name)} << 61) | underscores;
}

}  // namespace ksym
