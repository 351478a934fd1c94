#ifndef KSYM_SYMBOLIZER_TESTING_BUILD_ID_NOTE_H_
#define KSYM_SYMBOLIZER_TESTING_BUILD_ID_NOTE_H_

#include <string>

namespace ksym::testutil {

// An ELF note sequence holding one NT_GNU_BUILD_ID whose descriptor is the
// bytes of `hex`, as /sys/kernel/notes and sys/module/M/notes/
// .note.gnu.build-id hold it: what fake roots in tests write.
std::string BuildIdNotes(const std::string& hex);

}  // namespace ksym::testutil

#endif  // KSYM_SYMBOLIZER_TESTING_BUILD_ID_NOTE_H_
