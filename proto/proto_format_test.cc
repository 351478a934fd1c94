// SymbolTable ↔ bytes: every format parses back to the same message, format
// names, and the errors of each parser.
#include "proto/proto_format.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "proto/ksym.pb.h"
#include "proto/table_testing.h"

namespace ksym {
namespace {

using ::ksym::prototest::Export;
using ::ksym::prototest::SampleCatalog;

TEST(Formats, TextAndJsonParseBackToTheSameMessage) {
  proto::SymbolTable t = Export(SampleCatalog());
  for (ProtoFormat f : {ProtoFormat::kBinary, ProtoFormat::kTextProto,
                        ProtoFormat::kJson}) {
    absl::StatusOr<std::string> bytes = SerializeSymbolTable(t, f);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    absl::StatusOr<proto::SymbolTable> back = ParseSymbolTable(*bytes, f, "x");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->SerializeAsString(), t.SerializeAsString());
  }
  absl::StatusOr<std::string> text =
      SerializeSymbolTable(t, ProtoFormat::kTextProto);
  EXPECT_NE(text->find("address_space: ADDRESS_SPACE_RUNTIME\n"),
            std::string::npos);
  absl::StatusOr<std::string> json = SerializeSymbolTable(t, ProtoFormat::kJson);
  // Field names as in the .proto, 64-bit numbers as strings (proto3 JSON).
  EXPECT_NE(json->find("\"address_deltas\": ["), std::string::npos);
  EXPECT_NE(json->find("\"18446744071578841088\""), std::string::npos);
}

TEST(Formats, Names) {
  EXPECT_EQ(*ParseProtoFormat("binary"), ProtoFormat::kBinary);
  EXPECT_EQ(*ParseProtoFormat("textproto"), ProtoFormat::kTextProto);
  EXPECT_EQ(*ParseProtoFormat("text"), ProtoFormat::kTextProto);
  EXPECT_EQ(*ParseProtoFormat("pbtxt"), ProtoFormat::kTextProto);
  EXPECT_EQ(*ParseProtoFormat("json"), ProtoFormat::kJson);
  EXPECT_EQ(ParseProtoFormat("yaml").status(),
            absl::InvalidArgumentError(
                "unknown format \"yaml\" (expected binary, textproto or json)"));
  EXPECT_EQ(ProtoFormatForPath("perf.data.ksym.pb"), ProtoFormat::kBinary);
  EXPECT_EQ(ProtoFormatForPath("k.json"), ProtoFormat::kJson);
  EXPECT_EQ(ProtoFormatForPath("k.textproto"), ProtoFormat::kTextProto);
  EXPECT_EQ(ProtoFormatForPath("k.txtpb"), ProtoFormat::kTextProto);
  EXPECT_EQ(ProtoFormatForPath("k.pbtxt"), ProtoFormat::kTextProto);
  EXPECT_EQ(ProtoFormatForPath("json"), ProtoFormat::kBinary);
}

TEST(Formats, ParseErrors) {
  EXPECT_EQ(ParseSymbolTable("\xff\xff\xff", ProtoFormat::kBinary, "t.pb")
                .status(),
            absl::InvalidArgumentError(
                "t.pb: not a ksym.proto.SymbolTable in protobuf binary format "
                "(truncated, or a string that is not UTF-8?)"));
  EXPECT_EQ(ParseSymbolTable("version: 1\nbogus: 2\n", ProtoFormat::kTextProto,
                             "t.textproto")
                .status(),
            absl::InvalidArgumentError(
                "t.textproto:2:6: Message type \"ksym.proto.SymbolTable\" has "
                "no field named \"bogus\"."));
  EXPECT_EQ(ParseSymbolTable("{\"version\": \"x\"}", ProtoFormat::kJson,
                             "t.json")
                .status(),
            absl::InvalidArgumentError(
                "t.json: not a ksym.proto.SymbolTable in JSON: (version): "
                "invalid value \"x\" for type TYPE_UINT32"));
}

}  // namespace
}  // namespace ksym
