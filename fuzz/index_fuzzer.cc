// Fuzzes the index reader on arbitrary bytes: IndexReader::FromBuffer with
// and without checksum verification, then, when it opens, every query
// (index_exercise.h). Random bytes rarely pass the header CRC; see
// index_mutate_fuzzer for damage that reaches the sections.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/index_exercise.h"
#include "symbolizer/index/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (bool verify : {false, true}) {
    ksym::IndexOptions options;
    options.verify_checksums = verify;
    auto reader = ksym::IndexReader::FromBuffer(bytes, "fuzz.ksym", options);
    if (!reader.ok()) continue;
    ksym::ExerciseIndex(*std::move(reader),
                        absl::string_view(bytes.data(), bytes.size()));
  }
  return 0;
}
