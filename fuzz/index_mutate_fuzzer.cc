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
// Offsets are taken modulo the file size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/index_exercise.h"
#include "fuzz/sample_index.h"
#include "symbolizer/index/reader.h"

namespace {

const std::string& Sample() {
  static const std::string* sample = new std::string(ksym::SampleIndexBytes());
  return *sample;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  Sample();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = Sample();
  const uint8_t flags = size > 0 ? data[0] : 0;
  size_t first_offset = file.size();
  for (size_t p = 1; p + 3 <= size; p += 3) {
    const size_t offset = (data[p] | size_t{data[p + 1]} << 8) % file.size();
    if (p == 1) first_offset = offset;
    file[offset] = static_cast<char>(data[p + 2]);
  }
  if (flags & 4) file.resize(first_offset);
  if (flags & 2) ksym::FixSectionCrcs(file);
  ksym::FixHeaderCrc(file);
  ksym::IndexOptions options;
  options.verify_checksums = (flags & 1) != 0;
  auto reader = ksym::IndexReader::FromBuffer(file, "fuzz.ksym", options);
  if (!reader.ok()) return 0;
  ksym::ExerciseIndex(
      *std::move(reader),
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
