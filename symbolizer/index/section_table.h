// The section table: every section codec of the index (section_codec.h),
// in the order they are written and read. The writer and the reader name
// no section: SerializeIndex calls EncodeSections, IndexReader::Open calls
// DecodeSections.
//
// Adding a section (say a line table):
//   1. its id in format.h's SectionId (and its name in SectionName), its
//      bytes described in format.h's comment;
//   2. a file pair line_table_section.{h,cc} with Encode and Decode (and a
//      round-trip test), as the sections listed below;
//   3. a member of IndexSections and a row in kSectionCodecs
//      (section_table.cc);
//   4. accessors on IndexReader that read the member (reader.h), and the
//      cross-checks it needs beyond its own size in structure_verifier.cc.
// An optional section keeps older readers working (they skip unknown ids);
// a required one bumps kFormatVersion.
#ifndef KSYM_SYMBOLIZER_INDEX_SECTION_TABLE_H_
#define KSYM_SYMBOLIZER_INDEX_SECTION_TABLE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/address_section.h"
#include "symbolizer/index/attribution_section.h"
#include "symbolizer/index/extent_section.h"
#include "symbolizer/index/identity_section.h"
#include "symbolizer/index/line_section.h"
#include "symbolizer/index/locate_section.h"
#include "symbolizer/index/module_section.h"
#include "symbolizer/index/module_set_section.h"
#include "symbolizer/index/name_hash_section.h"
#include "symbolizer/index/name_section.h"
#include "symbolizer/index/object_section.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/section_directory.h"
#include "symbolizer/index/sources_section.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

// Every section of an opened index, decoded (views into its bytes).
struct IndexSections {
  uint64_t symbol_count = 0;
  StringsSection strings;
  IdentitySection identity;
  SourcesSection sources;
  AddressSection addresses;
  ExtentSection extents;
  NameSection names;
  ModuleSetSection module_sets;
  ObjectSection objects;
  AttributionSection attribution;
  NameHashSection name_hash;
  LineSection lines;
  ModuleSection modules;
  LocateSection locate;
  ModuleLineSection module_lines;
};

struct SectionCodec {
  const char* name;
  absl::Status (*encode)(const Catalog& catalog, StringTableBuilder& strings,
                         EncodedSections* out);
  // Decodes into its member of `out`.
  absl::Status (*decode)(const SectionDirectory& dir, IndexSections* out);
};

// The rows, in order. The order is part of the byte layout: encoders add
// strings in it, and string refs are offsets. Append new rows at the end.
absl::Span<const SectionCodec> SectionCodecs();

// Every row's sections, then kStrings (the strings they added), in table
// order; the writer sorts them by id.
absl::StatusOr<EncodedSections> EncodeSections(const Catalog& catalog);

// kStrings, then every row's sections in table order; the first error is
// DataLoss naming the section (without the file's label).
absl::StatusOr<IndexSections> DecodeSections(const SectionDirectory& dir);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_SECTION_TABLE_H_
