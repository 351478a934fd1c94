#include "symbolizer/api/json_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else if (c < 0x80) {
          out->push_back(static_cast<char>(c));
        } else if (const size_t n = Utf8SequenceLength(s, i);
                   n == 2 && c == 0xc2 &&
                   static_cast<unsigned char>(s[i + 1]) < 0xa0) {
          // A C1 control (U+0080..U+009F: CSI, OSC... which some terminals
          // obey like ESC [) is escaped like C0: JSON Lines reach
          // terminals too, and the escape decodes to the same character.
          absl::StrAppendFormat(out, "\\u%04x",
                                static_cast<unsigned char>(s[i + 1]));
          ++i;
        } else if (n > 0) {
          // Valid UTF-8 is copied: "fünf_ß" decodes as itself.
          out->append(s.data() + i, n);
          i += n - 1;
        } else {
          // A byte that is not part of valid UTF-8 becomes U+FFFD, one per
          // byte, so the output is always valid UTF-8 JSON.
          out->append("\\ufffd");
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
