#include "symbolizer/index/section_table.h"

#include <utility>

namespace ksym {
namespace {

template <typename Section, Section IndexSections::*kMember>
absl::Status DecodeInto(const SectionDirectory& dir, IndexSections* out) {
  absl::StatusOr<Section> s = Section::Decode(dir);
  if (!s.ok()) return s.status();
  out->*kMember = *std::move(s);
  return absl::OkStatus();
}

template <typename Section, Section IndexSections::*kMember>
constexpr SectionCodec Row(const char* name) {
  return {name, &Section::Encode, &DecodeInto<Section, kMember>};
}

constexpr SectionCodec kSectionCodecs[] = {
    Row<IdentitySection, &IndexSections::identity>("identity"),
    Row<SourcesSection, &IndexSections::sources>("sources"),
    Row<AddressSection, &IndexSections::addresses>("segments, address_offsets"),
    Row<ExtentSection, &IndexSections::extents>("sizes, overlaps"),
    Row<NameSection, &IndexSections::names>(
        "name_table, name_data, name_blocks"),
    Row<ModuleSetSection, &IndexSections::module_sets>("module_sets"),
    Row<ObjectSection, &IndexSections::objects>(
        "objects, module_rules, data_annotations"),
    Row<AttributionSection, &IndexSections::attribution>("attribution"),
    Row<NameHashSection, &IndexSections::name_hash>("name_hash"),
    Row<LineSection, &IndexSections::lines>("lines"),
    Row<ModuleSection, &IndexSections::modules>("modules, module_alias_first"),
    Row<LocateSection, &IndexSections::locate>("address_locate"),
    Row<ModuleLineSection, &IndexSections::module_lines>("module_lines"),
};

}  // namespace

absl::Span<const SectionCodec> SectionCodecs() { return kSectionCodecs; }

absl::StatusOr<EncodedSections> EncodeSections(const Catalog& catalog) {
  StringTableBuilder strings;
  EncodedSections out;
  for (const SectionCodec& codec : kSectionCodecs) {
    if (absl::Status s = codec.encode(catalog, strings, &out); !s.ok()) {
      return s;
    }
  }
  out.push_back({format::kStrings, strings.blob()});
  return out;
}

absl::StatusOr<IndexSections> DecodeSections(const SectionDirectory& dir) {
  IndexSections out;
  out.symbol_count = dir.symbol_count;
  absl::StatusOr<StringsSection> strings = StringsSection::Decode(dir);
  if (!strings.ok()) return strings.status();
  out.strings = *strings;
  for (const SectionCodec& codec : kSectionCodecs) {
    if (absl::Status s = codec.decode(dir, &out); !s.ok()) return s;
  }
  return out;
}

}  // namespace ksym
