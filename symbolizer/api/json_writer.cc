#include "symbolizer/api/json_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          // Kernel names are ASCII; anything else is escaped byte-wise so
          // the output stays valid JSON whatever the input held.
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void JsonLine::Key(absl::string_view key) {
  if (!first_) out_.push_back(',');
  first_ = false;
  AppendJsonString(&out_, key);
  out_.push_back(':');
}

JsonLine& JsonLine::Field(absl::string_view key, absl::string_view value) {
  Key(key);
  AppendJsonString(&out_, value);
  return *this;
}

JsonLine& JsonLine::Number(absl::string_view key, uint64_t value) {
  Key(key);
  absl::StrAppend(&out_, value);
  return *this;
}

JsonLine& JsonLine::Bool(absl::string_view key, bool value) {
  Key(key);
  out_.append(value ? "true" : "false");
  return *this;
}

JsonLine& JsonLine::Null(absl::string_view key) {
  Key(key);
  out_.append("null");
  return *this;
}

JsonLine& JsonLine::Strings(absl::string_view key,
                            const std::vector<absl::string_view>& values) {
  Key(key);
  out_.push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out_.push_back(',');
    AppendJsonString(&out_, values[i]);
  }
  out_.push_back(']');
  return *this;
}

JsonLine& JsonLine::Raw(absl::string_view key, absl::string_view json) {
  Key(key);
  out_.append(json.data(), json.size());
  return *this;
}

std::string JsonLine::Finish() {
  out_.push_back('}');
  return std::move(out_);
}

}  // namespace ksym
