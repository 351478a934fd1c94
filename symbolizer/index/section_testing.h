// Round trips of one section codec (section_codec.h) in tests: encode a
// catalog with one section's Encode, then decode from a directory that
// holds what it wrote and the strings it added.
//
//   SectionRoundTrip t(catalog, &ObjectSection::Encode);
//   ASSERT_TRUE(t.status().ok());
//   absl::StatusOr<ObjectSection> s = ObjectSection::Decode(t.dir());
#ifndef KSYM_SYMBOLIZER_INDEX_SECTION_TESTING_H_
#define KSYM_SYMBOLIZER_INDEX_SECTION_TESTING_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/section_directory.h"
#include "symbolizer/index/string_table.h"

namespace ksym {
namespace testutil {

class SectionRoundTrip {
 public:
  using Encoder = absl::Status (*)(const Catalog&, StringTableBuilder&,
                                   EncodedSections*);
  SectionRoundTrip(const Catalog& catalog, Encoder encode);
  SectionRoundTrip(const SectionRoundTrip&) = delete;
  SectionRoundTrip& operator=(const SectionRoundTrip&) = delete;

  // What Encode returned.
  const absl::Status& status() const { return status_; }
  // The sections written, kStrings among them, symbol_count set.
  const SectionDirectory& dir() const { return dir_; }
  bool has(uint32_t id) const { return dir_.present[id]; }
  // The bytes of section `id` (which must be there), to damage; call
  // Repoint() after changing their size.
  std::string& bytes(uint32_t id);
  void Repoint();
  const StringsSection& strings() const { return strings_; }

 private:
  absl::Status status_;
  EncodedSections sections_;
  SectionDirectory dir_;
  StringsSection strings_;
};

}  // namespace testutil
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_SECTION_TESTING_H_
