#include "symbolizer/catalog/identity_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

// The first bytes of an untrusted value, escaped, for an error message.
std::string Shown(absl::string_view v) {
  constexpr size_t kShown = 80;
  std::string out = absl::CEscape(v.substr(0, kShown));
  if (v.size() > kShown) absl::StrAppend(&out, "...");
  return absl::StrCat("\"", out, "\"");
}

bool ReleaseByte(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '+' || c == '~' || c == '-';
}

}  // namespace

absl::Status CheckKernelRelease(absl::string_view release,
                                absl::string_view what) {
  if (release.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  }
  if (release.size() > kMaxKernelReleaseBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", Shown(release), " is ", release.size(),
                     " bytes, more than a kernel release has (",
                     kMaxKernelReleaseBytes, ")"));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(release[0]))) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", Shown(release),
                     " does not start with a letter or digit: not a kernel "
                     "release"));
  }
  for (char c : release) {
    if (!ReleaseByte(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " ", Shown(release), " holds ", Shown(absl::string_view(&c, 1)),
          ": not a kernel release (letters, digits and . _ + ~ - only)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBuildId(absl::string_view build_id, absl::string_view what) {
  if (build_id.size() < 2 || build_id.size() > kMaxBuildIdHexDigits ||
      build_id.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", Shown(build_id), " has ", build_id.size(),
                     " hex digits (expected an even number, 2 to ",
                     kMaxBuildIdHexDigits, ")"));
  }
  for (char c : build_id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) &&
        !(c >= 'a' && c <= 'f')) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " ", Shown(build_id), " is not lowercase hex"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckModuleName(absl::string_view name, absl::string_view what) {
  if (name.empty() || name.size() > kMaxModuleNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", Shown(name), " is ", name.size(),
                     " bytes (a module name has 1 to ", kMaxModuleNameBytes,
                     ")"));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " ", Shown(name), " holds ", Shown(absl::string_view(&c, 1)),
          ": not a module name (letters, digits, _ and - only)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace ksym
