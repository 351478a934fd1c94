// Test helpers that lay out a fake root or a download tree on disk: one
// place for "make the directories, write the bytes", which the fake-root
// tests all need.
//
//   WriteTestFile(root + "/proc/sys/kernel/osrelease", "6.1.0\n");
#ifndef KSYM_SYMBOLIZER_TESTING_FAKE_FILES_H_
#define KSYM_SYMBOLIZER_TESTING_FAKE_FILES_H_

#include <string>

namespace ksym {

// Creates `path` and every missing parent (mode 0755); existing ones are
// left as they are.
void MakeDirs(const std::string& path);

// Writes `bytes` to `path` (replacing it), creating its parent directories
// first. Fails the current test when the file cannot be written.
void WriteTestFile(const std::string& path, const std::string& bytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_TESTING_FAKE_FILES_H_
