#include "proto/proto_format.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <climits>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

// Keeps the text-format parser's first error as "LABEL:LINE:COLUMN: what".
class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(absl::string_view label) : label_(label) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) {
      first_ = absl::StrCat(label_, ":", line + 1, ":", column + 1, ": ",
                            message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string label_;
  std::string first_;
};

}  // namespace

absl::StatusOr<ProtoFormat> ParseProtoFormat(absl::string_view name) {
  if (name == "binary") return ProtoFormat::kBinary;
  if (name == "textproto" || name == "text" || name == "pbtxt") {
    return ProtoFormat::kTextProto;
  }
  if (name == "json") return ProtoFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format \"", name,
                   "\" (expected binary, textproto or json)"));
}

ProtoFormat ProtoFormatForPath(absl::string_view path) {
  if (absl::EndsWith(path, ".json")) return ProtoFormat::kJson;
  if (absl::EndsWith(path, ".textproto") || absl::EndsWith(path, ".txtpb") ||
      absl::EndsWith(path, ".pbtxt")) {
    return ProtoFormat::kTextProto;
  }
  return ProtoFormat::kBinary;
}

absl::StatusOr<std::string> SerializeSymbolTable(
    const proto::SymbolTable& table, ProtoFormat format) {
  std::string out;
  switch (format) {
    case ProtoFormat::kBinary:
      if (!table.SerializeToString(&out)) {
        return absl::InvalidArgumentError(
            "cannot serialize the symbol table (over 2 GiB?)");
      }
      return out;
    case ProtoFormat::kTextProto: {
      google::protobuf::TextFormat::Printer printer;
      if (!printer.PrintToString(table, &out)) {
        return absl::InternalError("cannot print the symbol table as text");
      }
      return out;
    }
    case ProtoFormat::kJson: {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.add_whitespace = true;
      google::protobuf::util::Status st =
          google::protobuf::util::MessageToJsonString(table, &out, options);
      if (!st.ok()) {
        return absl::InternalError(absl::StrCat(
            "cannot print the symbol table as JSON: ", st.ToString()));
      }
      return out;
    }
  }
  return absl::InvalidArgumentError("unknown format");
}

absl::StatusOr<proto::SymbolTable> ParseSymbolTable(absl::string_view bytes,
                                                    ProtoFormat format,
                                                    absl::string_view label) {
  proto::SymbolTable table;
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": ", bytes.size(), " bytes is too large (expected at most ",
        INT_MAX, ")"));
  }
  switch (format) {
    case ProtoFormat::kBinary:
      if (!table.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return absl::InvalidArgumentError(absl::StrCat(
            label, ": not a ksym.proto.SymbolTable in protobuf binary format "
                   "(truncated, or a string that is not UTF-8?)"));
      }
      return table;
    case ProtoFormat::kTextProto: {
      google::protobuf::TextFormat::Parser parser;
      CollectErrors errors(label);
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(std::string(bytes), &table)) {
        return absl::InvalidArgumentError(
            errors.first().empty()
                ? absl::StrCat(label, ": not a ksym.proto.SymbolTable in text "
                                      "format")
                : errors.first());
      }
      return table;
    }
    case ProtoFormat::kJson: {
      google::protobuf::util::Status st =
          google::protobuf::util::JsonStringToMessage(
              google::protobuf::StringPiece(bytes.data(), bytes.size()),
              &table);
      if (!st.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(label, ": not a ksym.proto.SymbolTable in JSON: ",
                         std::string(st.message())));
      }
      return table;
    }
  }
  return absl::InvalidArgumentError("unknown format");
}

}  // namespace ksym
