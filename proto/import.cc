#include "proto/import.h"

#include "absl/status/status.h"
#include "proto/lines.h"
#include "proto/validate.h"

namespace ksym {

absl::StatusOr<Catalog> ImportSymbolTable(const proto::SymbolTable& table,
                                          absl::string_view label) {
  if (absl::Status st = CheckTableVersion(table, label); !st.ok()) return st;
  Catalog c;
  if (absl::Status st = CheckTableIdentity(table.identity(), label,
                                           &c.identity);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckTableModules(table, label, &c); !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckTableSources(table, label, &c); !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckTableLoadedModules(table, label, &c);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckTableObjects(table, label, &c); !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckTableSymbols(table.symbols(), label, &c);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckTableLines(table, label, &c); !st.ok()) {
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

}  // namespace ksym
