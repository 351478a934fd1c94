// The .ksym index file format, byte by byte. The header and the section
// directory are code in file_header.h (FileHeader, SectionEntry, HeaderCrc);
// each section is a codec (Encode, Decode and accessors) in the file pair
// named with it below, listed in section_table.h, which says how to add
// one. The writer (writer.h) and the reader (reader.h) go through that
// table and name no section. Bump kFormatVersion when the layout changes
// in a way older readers cannot skip.
//
// All integers are little-endian. Offsets are from the start of the file.
// The file is a header, a section directory, and sections, each section
// starting at a multiple of kSectionAlignment (zero padding in between).
// Nothing in the file is a pointer; everything is an offset or an index.
//
//   +--------------------------------------------------------------+
//   | Header (64 bytes)                                            |
//   | SectionEntry[section_count] (24 bytes each)                  |
//   | ...sections, 8-byte aligned...                               |
//   +--------------------------------------------------------------+
//
// Header (struct FileHeader, file_header.h):
//   0   u8[8]  magic "KSYMIDX\0"
//   8   u32    version (kFormatVersion). A reader refuses newer versions.
//   12  u32    header_size (64)
//   16  u64    file_size: total bytes; a shorter file is truncated
//   24  u32    section_count
//   28  u32    flags: bit 0 = runtime address space (else static/link-time)
//   32  u64    symbol_count (N)
//   40  u32    header_crc: CRC-32 (zlib crc32) of the header with this
//              field zeroed, followed by the section directory
//   44  u8[20] reserved, zero
//
// SectionEntry (struct SectionEntry, file_header.h; entry i at
// SectionEntryOffset(i)):
//   0   u32    id (SectionId); each id at most once, unknown ids are skipped
//              (id 0 is none: a directory naming it is damage)
//   4   u32    crc: CRC-32 of the section's bytes (checked by Open unless
//              IndexOptions.verify_checksums is off, and by `ksym verify`)
//   8   u64    offset (multiple of 8)
//   16  u64    size in bytes
//
// Symbols are numbered 0..N-1 in ascending (address, name) order. Every
// per-symbol column below is indexed by that number.
//
// kStrings (string_table.h): a blob of strings referenced by "string refs": a
// u32 offset of a
//   record `u16 length, length bytes` (no terminator). Offset 0 holds the
//   empty string. Used for identity, module names and object paths;
//   each distinct string is stored once.
//
// kIdentity (identity_section.h, 32 bytes):
//   0  i64 kaslr_offset   4 x u32 string refs: release, build_id (lowercase
//   hex), arch, and a reserved ref (0); then u32 identity flags (bit 0 =
//   kIdentityKaslrUnknown: a runtime index whose KASLR offset nothing told,
//   kaslr_offset is then 0 and means nothing) and u32 reserved (0).
//
// kSegments (address_section.h, with kAddressOffsets): u32 count, u32 reserved,
// then count x {u64 base, u32
//   first_symbol, u32 symbol_count}. Segments are sorted by base, cover
//   symbols 0..N-1 contiguously in order, and every symbol in a segment
//   lies within [base, base + 2^32). Far-apart address ranges (per-cpu data
//   near 0, kernel text, module space) each get a segment, so addresses
//   stay 4 bytes each.
//
// kAddressOffsets: u32[N]: address(i) = segment(i).base + offset[i].
//
// kAddressLocate (locate_section.h; optional, absent in older files, which
//   are searched without it): a page-bucket table in front of the
//   address column. The symbols are cut into ranges where consecutive
//   addresses jump by more than 1 MiB or a new segment starts; each range
//   is tiled by buckets of 2^shift bytes from its first address.
//     0  u32 range_count R (0 only for an index without symbols)
//     4  u32 shift (4..32), the same for every range: the writer picks the
//        smallest with at most max(N / 2, R) buckets in all
//     8  u32 bucket_count B (all ranges)   12 u32 reserved (0)
//     16 R x {u64 start (the address of its first symbol), u32
//        first_symbol, u32 symbol_count, u32 first_bucket, u32
//        bucket_count ((address of its last symbol - start) >> shift, + 1)}
//        (24 bytes each): the ranges tile symbols 0..N-1 in order, each
//        within one segment, each starting above the last address of the
//        one before; their buckets tile 0..B-1 in order
//     16 + 24 R: u32[B]: bucket b of a range holds the first symbol whose
//        address is >= start + (b << shift).
//   The last symbol at or below an address A in a range's [start, last
//   address]: bucket b = (A - start) >> shift gives [first, end) = [its
//   entry, the next bucket's entry or the range's end); the answer is the
//   last of first - 1 .. end - 1 at or below A (a search of a few
//   offsets, usually one cache line). Between ranges: the range's last
//   symbol. Open checks every entry against the addresses (one pass).
//
// kSizes (extent_section.h, with kOverlaps; optional): u32[N]; kSizeInferred
// means "no size in the source":
//   the symbol ends at the next higher symbol address (kallsyms semantics;
//   the last address ends where it starts). Absent section = all inferred.
//
// kNameTable (name_section.h, with kNameData and kNameBlocks): the name
//   codec's token table (see name_table.h for its layout): 256 codes, each
//   expanding to a byte string.
// kNameData: one record per symbol, in symbol order:
//   u8 type (kallsyms letter), varint encoded_length (LEB128, at most 2
//   bytes), encoded_length bytes of codec output. A name decodes to at most
//   kMaxSymbolNameLength (511) bytes: the kernel's KSYM_NAME_LEN - 1
//   (catalog.h).
//   Names are not deduplicated here: fewer than 1% of names repeat, and
//   address order lets a record be found without a 4-byte pointer each.
// kNameBlocks: u32[ceil(N / kNameBlockSize)]: offset in kNameData of the
//   record of symbol b * kNameBlockSize; later records of the block are
//   reached by skipping.
//
// kModuleSets (module_set_section.h): u32 count, u32 reserved, then count x
// {u32 first, u16 size,
//   u16 flags} indexing u32 string refs that follow the table (module names,
//   sorted). Set 0 is the empty set. flags bit 0 = loadable module;
//   otherwise built-in. Either is printed for every symbol type.
//
// kObjects (object_section.h, with kModuleRules): u32 count, u32 reserved, then
// count x {u32 path (string ref),
//   u32 annotation_start}: the {annotation} is the path's suffix starting at
//   byte annotation_start, or none when kNoAnnotation.
//
// kDataAnnotations (object_section.h; optional): u32[object_count], one
//   per object of kObjects: where in the object's path the {annotation}
//   its data symbols (every type but t T w W) print starts, or
//   kNoAnnotation. kObjects' annotation_start is its text symbols'. The two
//   kinds are disambiguated apart (catalog.h NameKind). Absent section (an
//   index of an older ksym) = no data annotation.
//
// kAttribution (attribution_section.h): u32 count, u32 reserved, then count x
// {u32 first_symbol,
//   u32 module_set, u32 object}: runs of symbols with the same module set
//   and object, sorted by first_symbol, the first starting at 0. object
//   kNoObjectId = not attributed.
//
// kSources (sources_section.h; optional): the sources the build looked for. u32
// count, u32
//   reserved, then count x {u32 what, u32 path, u32 why (string refs),
//   u32 state (0 found, 1 missing, 2 rejected)}.
//
// kOverlaps (extent_section.h): the stabbing structure for symbols whose exact
// extent reaches
//   past the next higher symbol address (nested or overlapping symbols).
//   All other symbols are found by binary search on the address column.
//   u32 count, u32 reserved, then count x {u64 start, u64 end, u64 max_end,
//   u32 symbol, u32 reserved}, sorted by (start, symbol), laid out as an
//   implicit binary search tree over the array positions: the node at
//   position i with level k (number of trailing 1 bits of i) has children
//   i - 2^(k-1) and i + 2^(k-1); max_end is the largest end in its subtree.
//   A stabbing query walks from the root 2^K - 1 (K = floor(log2(count)))
//   and visits only subtrees whose max_end exceeds the address.
//
// kNameHash (name_hash_section.h): u32 bucket_count (B >= 1), u32 flags, u32
// offsets[B + 1],
//   u32 slots[N]. The symbols named n are in bucket NameHash(n) % B, which
//   is slots[offsets[b] .. offsets[b + 1]), ascending by symbol. With flags
//   bit 0 (kNameHashTagged, set when N < 2^24) a slot is
//   (NameHash(n) >> 56) << 24 | symbol: the tag lets a lookup skip almost
//   every other name in the bucket without decoding it; otherwise a slot is
//   the bare symbol number. NameHash is 64-bit FNV-1a over the name bytes
//   (stable by definition; never std::hash/absl::Hash, which change
//   between builds).
//
// kModuleRules (object_section.h; optional, version 2+): u8[object_count], one
// per object of
//   kObjects: 0 when the module set of the object's symbols is a fact of
//   the kernel build (or there is none), else the rule that inferred it
//   (InferenceRule in symbolizer/attribution/builtin_inference.h: 1
//   initcall, 2 dynamic debug, 3 between members, 4 directory run, 5 name
//   affinity, 6 module license; kLastModuleRule). Absent section = no
//   inferred module. A reader older than rule 6 refuses it (VerifyStructure
//   names the value) rather than read an unknown rule as a fact.
//
// kLines (line_section.h; optional): source lines and inline trees of the
//   vmlinux's functions, in link-time addresses (a runtime index's lookup
//   subtracts kaslr_offset first). Self-contained: its strings are its own.
//   Absent when the build read no DWARF or ran with --no-lines (kSources
//   then has a "line tables" record saying why).
//     0  u32 function_count F   4  u32 file_count (>= 1; file 0 = unknown)
//     8  u32 prefix_count (>= 1; prefix 0 = "")   12 u32 flags: the
//        section's layout version. Bit 0 kFlagStatements (rows carry
//        is_stmt), bit 1 kFlagCheckpoints (only with bit 0); other bits 0.
//        0: version 0 (an early ksym's), 1: version 1, 3: version 2, what
//        this ksym writes. A reader before version 2 refuses bit 1 at open.
//     16 u64 strings_size S     24 u64 data_size D
//     32 u32 prefixes[prefix_count]: string offsets (build prefixes, each
//        ending in '/': the comp_dir stored once), zero-padded to 8 bytes
//        files[file_count]: {u32 prefix (index), u32 path (string offset)}
//        functions[F]: {u64 start, u32 size, u32 record (offset in data)},
//        sorted by start, disjoint
//        strings: S bytes of records `varint length, bytes`, each distinct
//        string once
//        data: D bytes, one record per function.
//   A row, in every version, is
//          {varint (offset_delta << 2 | is_stmt << 1 | file_changed)
//          (version 0: offset_delta << 1 | file_changed),
//          [varint file if file_changed], varint zigzag(line_delta),
//          varint column}:
//          deltas from the previous row of its list (the first from the
//          list's base offset, file 0, line 0; a row holds from its offset
//          to the next row's; file 0 line 0 is a gap; offsets ascend).
//   The statement rows of a function are its is_stmt rows of other lines
//   that start at the offset of a row after them (GCC's location views):
//   for `resolve FILE:LINE`; lookups never decode them.
//   A version 2 record (kFlagCheckpoints), calls first so that a lookup
//   reads the inline chain, then decodes at most kRowsPerCheckpoint (16)
//   rows from the nearest checkpoint:
//          varint name (string offset)
//          varint calls_bytes, then calls_bytes of calls: the function's
//            inline calls as a tree, each call
//              {varint skip: the bytes of the rest of this call, its
//               descendants included,
//               varint range_count, range_count x {varint zigzag(begin -
//                 previous range's end, the first from 0), varint length},
//               varint name, varint call_file, varint call_line,
//               varint call_column,
//               its children (calls), in the line table's order}
//            (DW_TAG_inlined_subroutine: ranges are offsets from the
//            function start)
//          varint row_count R: the rows no other row follows at the same
//            offset, split in blocks of kRowsPerCheckpoint rows
//          if R > kRowsPerCheckpoint: varint table_bytes, then
//            (R - 1) / kRowsPerCheckpoint checkpoints, one per block after
//            the first: {varint offset delta, varint byte delta}, each from
//            the checkpoint before (block 0's: offset 0, byte 0): the
//            offset of the block's first row, and where the block starts
//            after the table. table_bytes is their size.
//          the rows, block by block: a block's list starts from its
//            checkpoint's offset (block 0: 0), file 0, line 0
//          varint statement_count, statement_count x row (one list from 0)
//        VerifyAll (VerifyStructure) checks that each block starts where
//        its checkpoint says, at its offset, and that offsets ascend across
//        blocks; lookups bound every position they follow.
//   A version 1 record: varint name, varint row_count, row_count x row,
//        varint block_bytes, then block_bytes of {varint statement_count,
//        statement_count x row}, then the calls as a flat preorder list:
//        varint call_count, call_count x {varint name, varint parent + 1
//        (0: the function itself; parent < this call's index), varint
//        call_file, varint call_line, varint call_column, varint
//        range_count, range_count x {as above}}. Version 0: version 1
//        without the statement block.
//   An address's frames: the function whose [start, start + size) holds
//   it; its last row at or before the offset gives the innermost file:line;
//   the chain of calls descends into the first child holding the offset
//   (LLVM's getInlinedChainForAddress); innermost first, each caller frame
//   gets its callee's call site (llvm-symbolizer --inlines).
//
// kModuleLines (line_section.h ModuleLineSection; optional): the source
//   lines and inline trees of a runtime index's loadable modules (or of the
//   one module of a fleet module index, fleet/module_index.h, placed at its
//   fixed section bases), read from each module's debug .ko (whose DWARF is
//   section-relative: libdwfl applies its relocations) and placed at build
//   time by the module's section addresses (kModules), as its symbols are:
//   a function at offset o of section S of module M starts at
//   address(M, S) + o. Byte for byte
//   kLines' layout (version 2, kFlagCheckpoints: the only one written
//   here), its own strings, one table for every module (files and names
//   deduplicated across them); a module symbol's lookup asks it at the
//   symbol's runtime address. Only sections the running module keeps are
//   placed (not .init*, which the kernel frees after init); functions whose
//   placed ranges would overlap are left out (the build says so). Absent
//   when the build read no module's debug .ko or ran with --no-lines
//   (kSources then has a "module line tables" record saying why); an older
//   ksym skips it and answers module frames without lines, as before.
//
// kModules (module_section.h; optional): the loadable modules of a runtime
//   index, sorted by name. u32 count, u32 reserved, then count x {u64 base,
//   u64 size, u32 name, u32 build_id (string refs), u32 first_section,
//   u32 section_count, u32 flags (kModuleFromKo, kModuleDebugRead,
//   kModuleRangeInferred), u32 reserved}, then the modules' sections, each
//   module's a run of first_section.. in name order: {u64 address, u32 name
//   (string ref), u32 reserved}.
//
// kModuleAliasFirst (module_section.h; optional): u32[], ascending symbol
//   numbers: the symbols a loadable module's symtab order makes the kernel
//   name at their address where the alias rules of vmlinux
//   (query/alias_order.h) would name another.
//
// Opening validates the header (unknown flag bits and non-zero reserved
// bytes are damage, as are unknown identity flags), directory
// (section_directory.h), every section's size against the counts (each
// section's Decode) and, by default, every section's CRC-32, so a damaged file
// is an error rather than different answers. Lookups bounds-check every offset
// they follow, so no byte of any file can make them read outside the mapping,
// even with checksums turned off; VerifyStructure checks the cross-references a
// forged checksum would hide, including that every string ref points at the
// start of a record, every string ref of kSources, and the values of
// kModuleRules (an object with a rule has a module set) (structure_verifier.h).
#ifndef KSYM_SYMBOLIZER_INDEX_FORMAT_H_
#define KSYM_SYMBOLIZER_INDEX_FORMAT_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ksym {
namespace format {

inline constexpr char kMagic[8] = {'K', 'S', 'Y', 'M', 'I', 'D', 'X', '\0'};
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kHeaderSize = 64;
inline constexpr uint32_t kSectionEntrySize = 24;
inline constexpr uint32_t kSectionAlignment = 8;
inline constexpr uint32_t kMaxSections = 64;
inline constexpr uint32_t kNameBlockSize = 8;
inline constexpr uint32_t kSizeInferred = 0xffffffffu;
inline constexpr uint32_t kNoObjectId = 0xffffffffu;
inline constexpr uint32_t kNoAnnotation = 0xffffffffu;
inline constexpr uint32_t kFlagRuntimeAddresses = 1u << 0;
inline constexpr uint16_t kModuleSetLoadable = 1u << 0;
inline constexpr uint32_t kNameHashTagged = 1u << 0;
inline constexpr uint32_t kNameHashSymbolMask = 0x00ffffffu;
inline constexpr uint32_t kIdentityKaslrUnknown = 1u << 0;
// kModuleRules values are 0 .. kLastModuleRule.
inline constexpr uint8_t kLastModuleRule = 6;
// kModules flags.
inline constexpr uint32_t kModuleFromKo = 1u << 0;
inline constexpr uint32_t kModuleDebugRead = 1u << 1;
inline constexpr uint32_t kModuleRangeInferred = 1u << 2;

enum SectionId : uint32_t {
  kStrings = 1,
  kIdentity = 2,
  kSegments = 3,
  kAddressOffsets = 4,
  kSizes = 5,
  kNameTable = 6,
  kNameData = 7,
  kNameBlocks = 8,
  kModuleSets = 9,
  kObjects = 10,
  kAttribution = 11,
  kOverlaps = 12,
  kNameHash = 13,
  kSources = 14,
  kModuleRules = 15,
  kLines = 16,
  kModules = 17,
  kModuleAliasFirst = 18,
  kAddressLocate = 19,
  kDataAnnotations = 20,
  kModuleLines = 21,
};
// The highest section id this version knows; higher ids are skipped.
inline constexpr uint32_t kLastSectionId = kModuleLines;

// Human-readable section name for `ksym info` and error messages.
const char* SectionName(uint32_t id);

// 64-bit FNV-1a: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
inline uint64_t NameHash(absl::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace format
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_FORMAT_H_
