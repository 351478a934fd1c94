// Build an index file: run the builder on some sources, serialize, and
// write the file atomically (temp file + rename), creating its directory.
//
//   BuildInputs in;
//   in.vmlinux_path = "vmlinux";
//   absl::StatusOr<BuiltIndex> b = BuildIndexFile(in, "k.ksym");
//   for (const std::string& line : BuildSummary(*b)) puts(line.c_str());
//
// The running kernel's default location is default_index.h's business
// (BuildDefaultIndex).
#ifndef KSYM_SYMBOLIZER_API_BUILD_INDEX_H_
#define KSYM_SYMBOLIZER_API_BUILD_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "symbolizer/builder/builder.h"

namespace ksym {

struct BuiltIndex {
  std::string path;        // where the index was written
  uint64_t file_size = 0;  // bytes
  absl::Duration elapsed;  // build + write
  BuildOutput output;      // the catalog, disambiguation report, notes
};

// BuildCatalog(inputs), then WriteIndexFile to `path`. The file is written
// as WriteIndexAtomically does (index/writer.h): never through a symlink,
// never over a device or other non-regular file, 0600 when it holds
// runtime addresses.
absl::StatusOr<BuiltIndex> BuildIndexFile(const BuildInputs& inputs,
                                          const std::string& path,
                                          const ProgressFn& progress = {});

// Serializes a built catalog and writes it to `path` (parent directories
// created); `start` is when the build began, for BuiltIndex::elapsed.
absl::StatusOr<BuiltIndex> WriteIndexFile(BuildOutput output,
                                          const std::string& path,
                                          absl::Time start);

// What a build has to tell its user, one line each, no prefix: where it
// wrote and how big, each source found, rejected (and why) or looked for
// and missing ("source vmlinux: rejected PATH: build-id ... but the running
// kernel's is ..."), the builder's notes and warnings ("warning: ..."),
// attribution coverage, duplicate names, and the first 10 names still
// ambiguous.
std::vector<std::string> BuildSummary(const BuiltIndex& built);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_BUILD_INDEX_H_
