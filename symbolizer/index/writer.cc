#include "symbolizer/index/writer.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/format.h"
#include "symbolizer/index/section_table.h"

namespace ksym {
namespace {

// What every section relies on: names within the kernel's limit, symbols in
// (address, name) order.
absl::Status CheckSymbols(const std::vector<Symbol>& syms) {
  const uint64_t n = syms.size();
  if (n > std::numeric_limits<uint32_t>::max() - 1) {
    return absl::InvalidArgumentError("too many symbols for one index");
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (syms[i].name.size() > kMaxSymbolNameLength) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbol \"", absl::CHexEscape(syms[i].name.substr(0, 40)),
          "...\" at 0x", absl::Hex(syms[i].address), ": name of ",
          syms[i].name.size(), " bytes is longer than ", kMaxSymbolNameLength,
          " (the kernel's KSYM_NAME_LEN - 1)"));
    }
  }
  for (uint64_t i = 1; i < n; ++i) {
    if (syms[i - 1].address > syms[i].address ||
        (syms[i - 1].address == syms[i].address &&
         syms[i - 1].name > syms[i].name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbols are not sorted by (address, name) at ", i, " (",
          syms[i].name, "); call Catalog::FinalizeSizes first"));
    }
  }
  return absl::OkStatus();
}

// Header, directory, then the sections in id order, each aligned.
std::string LayOut(EncodedSections sections, uint32_t flags,
                   uint64_t symbol_count) {
  std::sort(sections.begin(), sections.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  format::FileHead head;
  head.header.flags = flags;
  head.header.symbol_count = symbol_count;
  std::string file(format::SectionEntryOffset(sections.size()), '\0');
  for (const auto& [id, body] : sections) {
    while (file.size() % format::kSectionAlignment) file.push_back('\0');
    head.sections.push_back(
        {id, format::SectionCrc(body), file.size(), body.size()});
    file.append(body);
  }
  while (file.size() % format::kSectionAlignment) file.push_back('\0');
  head.header.file_size = file.size();
  head.EncodeOver(&file);
  return file;
}

}  // namespace

absl::StatusOr<std::string> SerializeIndex(const Catalog& catalog) {
  if (absl::Status s = CheckSymbols(catalog.symbols); !s.ok()) return s;
  absl::StatusOr<EncodedSections> sections = EncodeSections(catalog);
  if (!sections.ok()) return sections.status();
  return LayOut(*std::move(sections),
                catalog.identity.address_space == AddressSpace::kRuntime
                    ? format::kFlagRuntimeAddresses
                    : 0,
                catalog.symbols.size());
}

bool IsRuntimeIndex(absl::string_view index_bytes) {
  const absl::StatusOr<format::FileHeader> h =
      format::FileHeader::Decode(index_bytes);
  return h.ok() && (h->flags & format::kFlagRuntimeAddresses) != 0;
}

absl::Status WriteIndexAtomically(const std::string& path,
                                  absl::string_view index_bytes,
                                  bool create_parents) {
  SafeWriteOptions options;
  options.create_parents = create_parents;
  options.mode = IsRuntimeIndex(index_bytes) ? 0600 : 0644;
  return WriteFileAtomically(path, index_bytes, options);
}

}  // namespace ksym
