// Minimal JSON object writer for the JSON Lines records of every front end.
//
//   JsonLine j;
//   j.Field("name", "init_once").Field("size", 0x40).Null("object");
//   puts(j.Finish().c_str());   // {"name":"init_once","size":64,"object":null}
#ifndef KSYM_SYMBOLIZER_API_JSON_WRITER_H_
#define KSYM_SYMBOLIZER_API_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"

namespace ksym {

// Appends s as a JSON string literal (quotes included).
void AppendJsonString(std::string* out, absl::string_view s);

class JsonLine {
 public:
  JsonLine& Field(absl::string_view key, absl::string_view value);
  JsonLine& Field(absl::string_view key, const char* value) {
    return Field(key, absl::string_view(value));
  }
  template <typename T,
            typename = std::enable_if_t<std::is_integral_v<T> &&
                                        !std::is_same_v<T, bool>>>
  JsonLine& Field(absl::string_view key, T value) {
    return Number(key, static_cast<uint64_t>(value));
  }
  JsonLine& Bool(absl::string_view key, bool value);
  JsonLine& Null(absl::string_view key);
  JsonLine& Strings(absl::string_view key,
                    const std::vector<absl::string_view>& values);
  // `json` must already be valid JSON (a nested object or array).
  JsonLine& Raw(absl::string_view key, absl::string_view json);
  std::string Finish();

 private:
  JsonLine& Number(absl::string_view key, uint64_t value);
  void Key(absl::string_view key);
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_JSON_WRITER_H_
