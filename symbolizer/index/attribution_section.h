// kAttribution (format.h): which module set and object each symbol has,
// as runs of symbols {first_symbol, module_set, object} sorted by
// first_symbol, the first starting at symbol 0.
#ifndef KSYM_SYMBOLIZER_INDEX_ATTRIBUTION_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_ATTRIBUTION_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class AttributionSection {
 public:
  static constexpr uint64_t kRunSize = 12;

  uint32_t run_count() const { return run_count_; }
  // run < run_count().
  uint32_t RunFirst(uint32_t run) const {
    return bytes::Load32(runs_ + kRunSize * run);
  }
  uint32_t RunModuleSet(uint32_t run) const {
    return bytes::Load32(runs_ + kRunSize * run + 4);
  }
  // format::kNoObjectId when not attributed.
  uint32_t RunObject(uint32_t run) const {
    return bytes::Load32(runs_ + kRunSize * run + 8);
  }
  // The run holding symbol i, or ~0u.
  uint32_t RunOf(uint32_t i) const {
    uint32_t lo = 0, hi = run_count_;
    while (lo < hi) {
      const uint32_t mid = (lo + hi) / 2;
      if (RunFirst(mid) <= i) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == 0 ? ~0u : lo - 1;
  }

  // InvalidArgument when a symbol names a module set or object the
  // catalog does not have.
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<AttributionSection> Decode(
      const SectionDirectory& dir);

 private:
  const char* runs_ = nullptr;
  uint32_t run_count_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_ATTRIBUTION_SECTION_H_
