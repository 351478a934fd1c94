#include "symbolizer/query/name_groups.h"

#include <algorithm>
#include <utility>

namespace ksym {

std::string PrintedKey(uint32_t shown_module_set, absl::string_view shown_object) {
  std::string key(reinterpret_cast<const char*>(&shown_module_set),
                  sizeof(shown_module_set));
  key.append(shown_object.data(), shown_object.size());
  return key;
}

size_t CountAtLeast(const std::vector<uint64_t>& sorted, uint64_t floor) {
  return static_cast<size_t>(
      sorted.end() - std::lower_bound(sorted.begin(), sorted.end(), floor));
}

const NameGroup* NameGroupCache::Find(absl::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

const NameGroup* NameGroupCache::Insert(absl::string_view name,
                                        NameGroup group) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = by_name_.try_emplace(name, nullptr);
  if (inserted) it->second = std::make_unique<const NameGroup>(std::move(group));
  return it->second.get();
}

}  // namespace ksym
