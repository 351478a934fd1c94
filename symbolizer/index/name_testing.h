// Helpers shared by the name codec's tests: real kernel names, hand-made
// tables, and a reference greedy encoder straight from the expansions.
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_TESTING_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/index/name_codec.h"

namespace ksym {
namespace nametest {

// ~120 names as /proc/kallsyms shows them on x86_64 (6.1 to 6.12 kernels).
std::vector<absl::string_view> EmbeddedNames();

// This machine's /proc/kallsyms names, or the embedded list where it is
// unreadable.
std::vector<std::string> KallsymsOrEmbedded();

// codec.Encode(name), failing the test on error.
std::string Encode(const NameCodec& codec, absl::string_view name);

// Greedy longest match straight from the expansions: the encoder must emit
// exactly this ("<no code>" for a name with a byte without one).
std::string ReferenceEncode(const NameDecoder& dec, absl::string_view name);

// A serialized table: literal codes for `literals`, then code -> expansion.
std::string MakeTable(absl::string_view literals,
                      const std::vector<std::pair<int, std::string>>& tokens);

}  // namespace nametest
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_TESTING_H_
