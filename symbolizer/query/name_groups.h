// What the symbolizer keeps about a name shared by many symbols, so that
// questions about each of them (is its printed name ambiguous? does its
// qualified name select it alone?) are answered from one walk over the
// name's symbols instead of one walk per question. Without it, printing
// N copies of one name (resolve, list, why, a stream of frames) costs
// O(N^2): measured 37 s for 4,000 copies.
//
//   NameGroupCache cache;
//   const NameGroup* g = cache.Find("dup");     // nullptr: not kept yet
//   g = cache.Insert("dup", std::move(group));  // the kept one (first wins)
#ifndef KSYM_SYMBOLIZER_QUERY_NAME_GROUPS_H_
#define KSYM_SYMBOLIZER_QUERY_NAME_GROUPS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace ksym {

struct NameGroup {
  uint32_t named = 0;  // symbols of the name

  // By what a symbol shows when printed: PrintedKey(shown module set id,
  // shown {object}). Symbolizer::CountSameName answers from it.
  struct AlikeCounts {
    uint32_t all = 0, text = 0;
  };
  absl::flat_hash_map<std::string, AlikeCounts> alike;

  // By qualified name: the sizes (sorted) of the symbols printed so that
  // the query of their own qualified name matches (its {object} suffix
  // matches their object path), all of them and the text ones. A query
  // `Q+0xOFF` keeps those of size >= OFF, so counting them by binary
  // search tells whether Q selects one symbol alone.
  struct Selectable {
    std::vector<uint64_t> sizes, text_sizes;
  };
  absl::flat_hash_map<std::string, Selectable> by_qualified_name;

  // False when a module name of the group is not module-name text (then
  // a printed name may not read back to its parts, and queries go the
  // per-query way).
  bool module_names_plain = true;
};

// The key of NameGroup::alike.
std::string PrintedKey(uint32_t shown_module_set, absl::string_view shown_object);

// Number of values >= floor in a sorted vector.
size_t CountAtLeast(const std::vector<uint64_t>& sorted, uint64_t floor);

// Thread-safe name -> NameGroup, kept for the symbolizer's lifetime; a
// returned pointer stays valid as long as the cache.
class NameGroupCache {
 public:
  const NameGroup* Find(absl::string_view name) const;
  // Keeps `group` unless another thread kept one first; returns the kept.
  const NameGroup* Insert(absl::string_view name, NameGroup group);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<const NameGroup>> by_name_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_NAME_GROUPS_H_
