// Fuzzes a whole build: BuildCatalog from combined sources in a kernel
// build tree (kallsyms, System.map, vmlinux.map, modules.builtin,
// modules.builtin.modinfo, modules.builtin.ranges and a kbuild .cmd file
// the tree scan finds), so the KASLR computation, attribution, the kbuild
// tree scan and the writer's limits see inputs that parse but disagree.
// Promises checked: a catalog that builds is written by SerializeIndex or
// refused with InvalidArgument; a written index opens with checksums
// verified and passes VerifyStructure.
//
// Input: the files' bytes in the order above, separated by "\xfe\xff"; a
// missing part is a missing file. The files live in a directory of this
// process, rewritten for every input.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"

namespace {

const char* const kFiles[] = {
    "kallsyms",       "System.map",
    "vmlinux.map",    "modules.builtin",
    "modules.builtin.modinfo", "modules.builtin.ranges",
    "fs/ext4/.super.o.cmd",
};

// The files the build reads, in a directory of their own under the test's
// (or the user's) temp directory, removed again when the fuzzer exits.
std::string& Dir() {
  static std::string* dir = [] {
    const char* base = std::getenv("TEST_TMPDIR");
    if (base == nullptr || *base == '\0') base = std::getenv("TMPDIR");
    if (base == nullptr || *base == '\0') base = "/tmp";
    std::string tmpl = std::string(base) + "/ksym-build-fuzz-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    mkdir((tmpl + "/fs").c_str(), 0700);
    mkdir((tmpl + "/fs/ext4").c_str(), 0700);
    return new std::string(tmpl);
  }();
  return *dir;
}

void RemoveDir() {
  const std::string& dir = Dir();
  for (const char* file : kFiles) unlink((dir + "/" + file).c_str());
  rmdir((dir + "/fs/ext4").c_str());
  rmdir((dir + "/fs").c_str());
  rmdir(dir.c_str());
}

[[noreturn]] void Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "build fuzzer: %s: %s\n", what,
               status.ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  unsetenv("DEBUGINFOD_URLS");  // never fetch
  Dir();
  std::atexit(RemoveDir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<absl::string_view> parts =
      absl::StrSplit(input, "\xfe\xff");
  const std::string& dir = Dir();
  for (size_t k = 0; k < sizeof(kFiles) / sizeof(kFiles[0]); ++k) {
    const std::string path = dir + "/" + kFiles[k];
    if (k < parts.size()) {
      std::ofstream(path, std::ios::binary | std::ios::trunc)
          .write(parts[k].data(), static_cast<std::streamsize>(parts[k].size()));
    } else {
      unlink(path.c_str());
    }
  }
  ksym::BuildInputs in;
  in.kallsyms_path = dir + "/kallsyms";
  in.build_dir = dir;
  in.identity.release = "6.1.0-fuzz";
  in.identity.arch = "x86_64";
  in.identity.address_space = ksym::AddressSpace::kRuntime;
  in.identity_given = true;
  auto out = ksym::BuildCatalog(in);
  if (!out.ok()) return 0;
  auto bytes = ksym::SerializeIndex(out->catalog);
  if (!bytes.ok()) {
    if (bytes.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail("SerializeIndex", bytes.status());
    }
    return 0;
  }
  auto reader = ksym::IndexReader::FromBuffer(*bytes, "fuzz.ksym");
  if (!reader.ok()) Fail("written index does not open", reader.status());
  const absl::Status structure = (*reader)->VerifyStructure();
  if (!structure.ok()) Fail("written index VerifyStructure", structure);
  return 0;
}
