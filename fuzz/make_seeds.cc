// Writes the generated seeds of the index and proto fuzzers:
//   make_seeds OUT_INDEX OUT_PROTO
// OUT_INDEX: the serialized sample index (sample_index.h); OUT_PROTO: the
// same catalog exported as a binary SymbolTable.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fuzz/sample_index.h"
#include "proto/convert.h"
#include "symbolizer/index/reader.h"

namespace {

bool Write(const char* path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) std::fprintf(stderr, "make_seeds: cannot write %s\n", path);
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s OUT_INDEX OUT_PROTO\n", argv[0]);
    return 2;
  }
  const std::string index = ksym::SampleIndexBytes();
  absl::StatusOr<std::unique_ptr<ksym::IndexReader>> reader =
      ksym::IndexReader::FromBuffer(index, "sample.ksym");
  if (!reader.ok()) {
    std::fprintf(stderr, "make_seeds: %s\n",
                 reader.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::string> proto =
      ksym::ExportSymbolTableBytes(**reader, ksym::ProtoFormat::kBinary,
                                   {.absolute = true});
  if (!proto.ok()) {
    std::fprintf(stderr, "make_seeds: %s\n", proto.status().ToString().c_str());
    return 1;
  }
  return Write(argv[1], index) && Write(argv[2], *proto) ? 0 : 1;
}
