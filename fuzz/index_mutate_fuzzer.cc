// Structure-aware index fuzzer: the input is a list of patches applied to a
// valid index (fuzz/sample_index.h), whose header CRC is then fixed so the
// damage gets past the header check and reaches the sections.
//
// Input: byte 0 flags, then 3-byte patches {u16 LE offset, u8 value}:
//   flags bit 0: open with verify_checksums
//   flags bit 1: also recompute every section's CRC (damage passes
//                VerifyChecksums too, so only structure checks stand
//                between it and the lookups)
//   flags bit 2: truncate to (first patch offset) bytes after patching
//   flags bit 3: also export the index (proto/export.h), relative and
//                absolute, as `ksym export` would
//   flags bit 4, followed by "LA": start from the large index (70,000
//                aliases at one address, ManyAliasesIndexBytes) instead
//                of the sample; patches follow "LA" and their offsets
//                take 3 bytes. (The marker keeps the regression test's
//                deterministic mutations on the small sample: the large
//                one costs seconds to build unoptimized.)
// Offsets are taken modulo the file size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/index_exercise.h"
#include "fuzz/sample_index.h"
#include "proto/convert.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/reader.h"

namespace {

const std::string& Sample() {
  static const std::string* sample = new std::string(ksym::SampleIndexBytes());
  return *sample;
}

// Past every 16-bit count; built on first use (seconds in an unoptimized
// build, so only inputs that ask for it pay).
constexpr uint32_t kLargeAliases = 70000;

const std::string& Large() {
  static const std::string* large =
      new std::string(ksym::ManyAliasesIndexBytes(kLargeAliases));
  return *large;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  Sample();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t flags = size > 0 ? data[0] : 0;
  const bool large =
      (flags & 16) != 0 && size >= 3 && data[1] == 'L' && data[2] == 'A';
  std::string file = large ? Large() : Sample();
  const size_t patch = large ? 4 : 3;
  const size_t patches = large ? 3 : 1;
  size_t first_offset = file.size();
  for (size_t p = patches; p + patch <= size; p += patch) {
    size_t offset = data[p] | size_t{data[p + 1]} << 8;
    if (large) offset |= size_t{data[p + 2]} << 16;
    offset %= file.size();
    if (p == patches) first_offset = offset;
    file[offset] = static_cast<char>(data[p + patch - 1]);
  }
  if (flags & 4) file.resize(first_offset);
  if (flags & 2) ksym::FixSectionCrcs(file);
  ksym::format::UpdateHeaderCrc(&file);
  ksym::IndexOptions options;
  options.verify_checksums = (flags & 1) != 0;
  auto reader = ksym::IndexReader::FromBuffer(file, "fuzz.ksym", options);
  if (!reader.ok()) return 0;
  if (flags & 8) {
    // A damaged index exports or fails cleanly, never reads out of bounds.
    for (bool absolute : {false, true}) {
      (void)ksym::ExportSymbolTableBytes(**reader, ksym::ProtoFormat::kBinary,
                                         {.absolute = absolute});
    }
  }
  ksym::ExerciseIndex(
      *std::move(reader),
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
