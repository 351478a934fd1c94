#include "symbolizer/index/section_testing.h"

#include <cstdlib>

namespace ksym {
namespace testutil {

SectionRoundTrip::SectionRoundTrip(const Catalog& catalog, Encoder encode) {
  StringTableBuilder strings;
  status_ = encode(catalog, strings, &sections_);
  sections_.push_back({format::kStrings, strings.blob()});
  dir_.symbol_count = catalog.symbols.size();
  Repoint();
}

std::string& SectionRoundTrip::bytes(uint32_t id) {
  for (auto& [sid, body] : sections_) {
    if (sid == id) return body;
  }
  std::abort();  // the test asked for a section the encoder did not write
}

void SectionRoundTrip::Repoint() {
  for (uint32_t id = 0; id <= format::kLastSectionId; ++id) {
    dir_.present[id] = false;
    dir_.section[id] = {};
  }
  for (const auto& [id, body] : sections_) {
    dir_.present[id] = true;
    dir_.section[id] = body;
  }
  strings_ = *StringsSection::Decode(dir_);
}

}  // namespace testutil
}  // namespace ksym
