#include "symbolizer/query/address_rule.h"

#include "symbolizer/catalog/catalog.h"

namespace ksym {

KernelAddressRule KernelAddressRule::ForIndex(const IndexReader& index) {
  KernelAddressRule rule;
  const uint64_t n = index.symbol_count();
  for (uint64_t i = 0; i < n; ++i) {
    if (IsTextType(index.Type(static_cast<uint32_t>(i)))) {
      rule.kernel_start_ = index.Address(static_cast<uint32_t>(i));
      break;
    }
  }
  return rule;
}

}  // namespace ksym
