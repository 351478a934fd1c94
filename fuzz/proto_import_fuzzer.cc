// Fuzzes ImportSymbolTableBytes on binary protobuf input. A table that
// imports must give an index that the writer accepts or refuses with
// InvalidArgument; an index it writes must open with checksums verified,
// pass VerifyStructure, export, and import back to the same index bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/index_exercise.h"
#include "proto/convert.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"

namespace {

[[noreturn]] void Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "proto_import fuzzer: %s: %s\n", what,
               status.ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto catalog = ksym::ImportSymbolTableBytes(bytes, ksym::ProtoFormat::kBinary,
                                              "fuzz.pb");
  if (!catalog.ok()) return 0;
  auto index = ksym::SerializeIndex(*catalog);
  if (!index.ok()) {
    if (index.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail("SerializeIndex", index.status());
    }
    return 0;
  }
  ksym::IndexOptions verify;
  verify.verify_checksums = true;
  auto reader = ksym::IndexReader::FromBuffer(*index, "fuzz.ksym", verify);
  if (!reader.ok()) Fail("written index does not open", reader.status());
  absl::Status structure = (*reader)->VerifyStructure();
  if (!structure.ok()) Fail("written index VerifyStructure", structure);
  auto exported =
      ksym::ExportSymbolTableBytes(**reader, ksym::ProtoFormat::kBinary,
                                   {.absolute = true});
  if (!exported.ok()) Fail("export", exported.status());
  auto again = ksym::ImportSymbolTableBytes(
      *exported, ksym::ProtoFormat::kBinary, "exported.pb");
  if (!again.ok()) Fail("import of the export", again.status());
  auto index_again = ksym::SerializeIndex(*again);
  if (!index_again.ok())
    Fail("SerializeIndex of the export", index_again.status());
  if (*index_again != *index) {
    Fail("export/import changed the index", absl::OkStatus());
  }
  ksym::ExerciseIndex(*std::move(reader), bytes);
  return 0;
}
