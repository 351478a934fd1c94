#include "symbolizer/sources/modules_builtin.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

// ---- modules.builtin ----

TEST(ParseModulesBuiltinTest, PathsAsWritten) {
  absl::StatusOr<Strings> paths = ParseModulesBuiltin(
      "kernel/arch/x86/crypto/crc32c-intel.ko\n"
      "kernel/fs/binfmt_script.ko\n"
      "kernel/fs/ext4/ext4.ko\n"
      "\n"
      "kernel/fs/nls/nls_iso8859-1.ko",
      "modules.builtin");
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_EQ(*paths,
            (Strings{"kernel/arch/x86/crypto/crc32c-intel.ko",
                     "kernel/fs/binfmt_script.ko", "kernel/fs/ext4/ext4.ko",
                     "kernel/fs/nls/nls_iso8859-1.ko"}));
}

TEST(ParseModulesBuiltinTest, EmptyFile) {
  absl::StatusOr<Strings> paths = ParseModulesBuiltin("", "modules.builtin");
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_TRUE(paths->empty());
}

TEST(ParseModulesBuiltinTest, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"kernel/fs/ext4/ext4.ko\nfs/ext4/ext4.ko\n",
       "mb:2: expected \"kernel/PATH.ko\", got \"fs/ext4/ext4.ko\""},
      {"kernel/fs/ext4/ext4.o\n",
       "mb:1: expected \"kernel/PATH.ko\", got \"kernel/fs/ext4/ext4.o\""},
      {"kernel/.ko\n", "mb:1: expected \"kernel/PATH.ko\", got \"kernel/.ko\""},
      {"kernel/fs/ext4/ext4.ko\r\n",
       "mb:1: expected \"kernel/PATH.ko\", got \"kernel/fs/ext4/ext4.ko\\r\""},
      {"kernel/fs/ext4/ext4.ko kernel/fs/jbd2/jbd2.ko\n",
       "mb:1: expected \"kernel/PATH.ko\", got \"kernel/fs/ext4/ext4.ko "
       "kernel/fs/jbd2/jbd2.ko\""},
  };
  for (const auto& [text, message] : cases) {
    absl::StatusOr<Strings> paths = ParseModulesBuiltin(text, "mb");
    ASSERT_EQ(paths.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
    EXPECT_EQ(paths.status().message(), message);
  }
}

// ---- modules.builtin.modinfo ----

std::string Bytes(const char* data, size_t size) {
  return std::string(data, size);
}
#define BYTES(literal) Bytes(literal, sizeof(literal) - 1)

TEST(ParseModulesBuiltinModinfoTest, RecordsAndModuleFiles) {
  const std::string bytes = BYTES(
      "ext4.softdep=pre: crc32c\0"
      "ext4.license=GPL\0"
      "ext4.file=fs/ext4/ext4\0"
      "ext4.description=Fourth Extended Filesystem\0"
      "ext4.alias=fs-ext4\0"
      "ext4.alias=ext3\0"
      "binfmt_elf.license=GPL\0"
      "binfmt_elf.file=fs/binfmt_elf\0"
      "nls_iso8859_1.license=Dual BSD/GPL\0"
      "nls_iso8859_1.file=fs/nls/nls_iso8859-1\0"
      "ext4.license=GPL\0"
      "ext4.file=fs/ext4/ext4\0"
      "8250.parmtype=nr_uarts:uint\0"
      "8250.parm=nr_uarts:Maximum number of UARTs supported. (1-32)\0");
  absl::StatusOr<BuiltinModinfo> modinfo =
      ParseModulesBuiltinModinfo(bytes, "modules.builtin.modinfo");
  ASSERT_TRUE(modinfo.ok()) << modinfo.status();
  ASSERT_EQ(modinfo->records.size(), 14u);
  EXPECT_EQ(modinfo->records[0].module, "ext4");
  EXPECT_EQ(modinfo->records[0].key, "softdep");
  EXPECT_EQ(modinfo->records[0].value, "pre: crc32c");
  EXPECT_EQ(modinfo->records[13].module, "8250");
  EXPECT_EQ(modinfo->records[13].key, "parm");
  EXPECT_EQ(modinfo->records[13].value,
            "nr_uarts:Maximum number of UARTs supported. (1-32)");
  // The repeated ext4 file record (a second MODULE_LICENSE) is dropped.
  EXPECT_EQ(modinfo->module_files,
            (Files{{"ext4", "fs/ext4/ext4"},
                   {"binfmt_elf", "fs/binfmt_elf"},
                   {"nls_iso8859_1", "fs/nls/nls_iso8859-1"}}));
}

TEST(ParseModulesBuiltinModinfoTest, ValueMayHoldDotsAndEquals) {
  absl::StatusOr<BuiltinModinfo> modinfo =
      ParseModulesBuiltinModinfo(BYTES("kvm.parm=halt_poll_ns:x=y.z\0"), "m");
  ASSERT_TRUE(modinfo.ok()) << modinfo.status();
  ASSERT_EQ(modinfo->records.size(), 1u);
  EXPECT_EQ(modinfo->records[0].module, "kvm");
  EXPECT_EQ(modinfo->records[0].key, "parm");
  EXPECT_EQ(modinfo->records[0].value, "halt_poll_ns:x=y.z");
}

TEST(ParseModulesBuiltinModinfoTest, EmptyRecordsAreSkipped) {
  absl::StatusOr<BuiltinModinfo> modinfo = ParseModulesBuiltinModinfo(
      BYTES("\0\0ext4.license=GPL\0\0\0ext4.file=fs/ext4/ext4\0\0"), "m");
  ASSERT_TRUE(modinfo.ok()) << modinfo.status();
  EXPECT_EQ(modinfo->records.size(), 2u);
  EXPECT_EQ(modinfo->module_files, (Files{{"ext4", "fs/ext4/ext4"}}));
}

TEST(ParseModulesBuiltinModinfoTest, EmptyFile) {
  absl::StatusOr<BuiltinModinfo> modinfo = ParseModulesBuiltinModinfo("", "m");
  ASSERT_TRUE(modinfo.ok()) << modinfo.status();
  EXPECT_TRUE(modinfo->records.empty());
  EXPECT_TRUE(modinfo->module_files.empty());
}

TEST(ParseModulesBuiltinModinfoTest, ObjectSharedByTwoModules) {
  // KBUILD_MODNAME joins the modules with ':', KBUILD_MODFILE with ' '.
  absl::StatusOr<BuiltinModinfo> modinfo = ParseModulesBuiltinModinfo(
      BYTES("intel_skl_int3472_discrete:intel_skl_int3472_tps68470.file="
            "drivers/platform/x86/intel/int3472/intel_skl_int3472_discrete "
            "drivers/platform/x86/intel/int3472/intel_skl_int3472_tps68470\0"),
      "m");
  ASSERT_TRUE(modinfo.ok()) << modinfo.status();
  EXPECT_EQ(modinfo->records[0].module,
            "intel_skl_int3472_discrete:intel_skl_int3472_tps68470");
  EXPECT_EQ(
      modinfo->module_files,
      (Files{{"intel_skl_int3472_discrete",
              "drivers/platform/x86/intel/int3472/intel_skl_int3472_discrete"},
             {"intel_skl_int3472_tps68470",
              "drivers/platform/x86/intel/int3472/"
              "intel_skl_int3472_tps68470"}}));
}

TEST(ParseModulesBuiltinModinfoTest, Errors) {
  const std::pair<std::string, const char*> cases[] = {
      {BYTES("ext4.license=GPL\0ext4license=GPL\0"),
       "mi: record at offset 17: expected \"MODULE.KEY=VALUE\", got "
       "\"ext4license=GPL\""},
      {BYTES("ext4.license\0"),
       "mi: record at offset 0: expected \"MODULE.KEY=VALUE\", got "
       "\"ext4.license\""},
      {BYTES("license=GPL.v2\0"),
       "mi: record at offset 0: expected \"MODULE.KEY=VALUE\", got "
       "\"license=GPL.v2\""},
      {BYTES(".license=GPL\0"),
       "mi: record at offset 0: expected \"MODULE.KEY=VALUE\", got "
       "\".license=GPL\""},
      {BYTES("ext4.=GPL\0"),
       "mi: record at offset 0: expected \"MODULE.KEY=VALUE\", got "
       "\"ext4.=GPL\""},
      {BYTES("ext4.license=GPL\0ext4.file=fs/ext4/ex"),
       "mi: record at offset 17 (\"ext4.file=fs/ext4/ex\") is not "
       "NUL-terminated; is the file truncated?"},
      {BYTES("a:b.file=dir/a\0"),
       "mi: record at offset 0: 2 module name(s) but 1 file path(s) in "
       "\"a:b.file=dir/a\""},
      // Found by fuzz/modules_builtin_modinfo.
      {BYTES(":b.file=dir/a dir/b\0"),
       "mi: record at offset 0: empty module name in \":b.file=dir/a "
       "dir/b\" (expected \"MODULE[:MODULE...].file=PATH[ PATH...]\")"},
      // Garbage that has a '.' before a '=' is not a record either.
      {BYTES("ext4.license=GPL\0\x7f\x45LF.\x02\x01=\x01\0"),
       "mi: record at offset 17: module name \"\\x7f\\x45LF\" is not an "
       "identifier (letters, digits, '_') in \"\\x7f\\x45LF.\\x02\\x01=\\x01\""},
      {BYTES("ext4.lic ense=GPL\0"),
       "mi: record at offset 0: key \"lic ense\" is not an identifier "
       "(letters, digits, '_') in \"ext4.lic ense=GPL\""},
      {BYTES("ext4/x.file=fs/ext4/ext4\0"),
       "mi: record at offset 0: module name \"ext4/x\" is not an "
       "identifier (letters, digits, '_') in \"ext4/x.file=fs/ext4/ext4\""},
      {BYTES("ext4.file=fs/ext4/\x1b[2Jext4\0"),
       "mi: record at offset 0: value has control byte 0x1b at byte 8 in "
       "\"ext4.file=fs/ext4/\\x1b[2Jext4\""},
  };
  for (const auto& [bytes, message] : cases) {
    absl::StatusOr<BuiltinModinfo> modinfo =
        ParseModulesBuiltinModinfo(bytes, "mi");
    ASSERT_EQ(modinfo.status().code(), absl::StatusCode::kInvalidArgument)
        << message;
    EXPECT_EQ(absl::CHexEscape(modinfo.status().message()),
              absl::CHexEscape(message));
  }
}

// ---- modules.builtin.objs ----

TEST(ParseModulesBuiltinObjsTest, MultiAndSingleObjectModules) {
  // As the generator writes it: "tr -s ' '" leaves one space after the ':'
  // of a single-object module.
  absl::StatusOr<std::vector<BuiltinModuleObjects>> objs =
      ParseModulesBuiltinObjs(
          "fs/ext4/ext4.o: fs/ext4/balloc.o fs/ext4/bitmap.o "
          "fs/ext4/block_validity.o\n"
          "fs/binfmt_elf.o: \n"
          "fs/nls/nls_iso8859-1.o:\n",
          "modules.builtin.objs");
  ASSERT_TRUE(objs.ok()) << objs.status();
  ASSERT_EQ(objs->size(), 3u);
  EXPECT_EQ((*objs)[0].module_object, "fs/ext4/ext4.o");
  EXPECT_EQ((*objs)[0].objects, (Strings{"fs/ext4/balloc.o", "fs/ext4/bitmap.o",
                                         "fs/ext4/block_validity.o"}));
  EXPECT_EQ((*objs)[1].module_object, "fs/binfmt_elf.o");
  EXPECT_TRUE((*objs)[1].objects.empty());
  EXPECT_EQ((*objs)[2].module_object, "fs/nls/nls_iso8859-1.o");
  EXPECT_TRUE((*objs)[2].objects.empty());
}

TEST(ParseModulesBuiltinObjsTest, StrayPathOfSharedObjectIsSkipped) {
  // hid-uclogic-test shares objects with hid-uclogic; the generator splits
  // their joint KBUILD_MODFILE into a bare line.
  absl::StatusOr<std::vector<BuiltinModuleObjects>> objs =
      ParseModulesBuiltinObjs(
          "drivers/hid/hid-uclogic.o: drivers/hid/hid-uclogic-core.o "
          "drivers/hid/hid-uclogic-params.o drivers/hid/hid-uclogic-rdesc.o\n"
          "drivers/hid/hid-uclogic\n"
          "drivers/hid/hid-uclogic-test.o: \n",
          "modules.builtin.objs");
  ASSERT_TRUE(objs.ok()) << objs.status();
  ASSERT_EQ(objs->size(), 2u);
  EXPECT_EQ((*objs)[0].objects.size(), 3u);
  EXPECT_EQ((*objs)[1].module_object, "drivers/hid/hid-uclogic-test.o");
}

TEST(ParseModulesBuiltinObjsTest, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"fs/ext4/ext4.o fs/ext4/balloc.o\n",
       "objs:1: expected \"MODULE.o: [OBJECT.o]...\", got \"fs/ext4/ext4.o "
       "fs/ext4/balloc.o\""},
      {"fs/ext4/ext4.o:fs/ext4/balloc.o\n",
       "objs:1: expected \"MODULE.o: [OBJECT.o]...\", got "
       "\"fs/ext4/ext4.o:fs/ext4/balloc.o\""},
      {": fs/ext4/balloc.o\n",
       "objs:1: expected \"MODULE.o: [OBJECT.o]...\", got \": "
       "fs/ext4/balloc.o\""},
      {"fs/ext4/ext4.o: fs/ext4/balloc.o:\n",
       "objs:1: expected \"MODULE.o: [OBJECT.o]...\", got \"fs/ext4/ext4.o: "
       "fs/ext4/balloc.o:\""},
      {"fs/binfmt_elf.o:\r\n",
       "objs:1: expected \"MODULE.o: [OBJECT.o]...\", got "
       "\"fs/binfmt_elf.o:\\r\""},
      {"\nfs/ext4/ext4: fs/ext4/balloc.o\n",
       "objs:2: module object \"fs/ext4/ext4\" does not end in \".o\""},
  };
  for (const auto& [text, message] : cases) {
    absl::StatusOr<std::vector<BuiltinModuleObjects>> objs =
        ParseModulesBuiltinObjs(text, "objs");
    ASSERT_EQ(objs.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(objs.status().message(), message);
  }
}

// ---- modules.builtin.ranges ----

TEST(ParseModulesBuiltinRangesTest, RangesCarryTheirSectionAnchor) {
  absl::StatusOr<std::vector<BuiltinRange>> ranges = ParseModulesBuiltinRanges(
      ".text 00000000-00000000 = _text\n"
      ".text 0000baf0-0000cb10 amd_uncore\n"
      ".text 0009bd10-0009c8e0 iosf_mbi\n"
      ".text 00ba0120-00ba03c0 intel_skl_int3472_discrete "
      "intel_skl_int3472_tps68470\n"
      ".rodata 00000000-00000000 = __start_rodata\n"
      ".rodata 00010000-00010040 amd_uncore\n"
      ".data 00000000-00000000 = _sdata\n"
      ".data 0000f020-0000f680 amd_uncore\n"
      ".init.data 00000040-00000040 = early_data_start\n"
      ".init.data 00000000-00000010 amd_uncore\n",
      "modules.builtin.ranges");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  ASSERT_EQ(ranges->size(), 6u);
  const BuiltinRange& r0 = (*ranges)[0];
  EXPECT_EQ(r0.section, ".text");
  EXPECT_EQ(r0.start, 0xbaf0u);
  EXPECT_EQ(r0.end, 0xcb10u);
  EXPECT_EQ(r0.modules, (Strings{"amd_uncore"}));
  EXPECT_EQ(r0.anchor, "_text");
  EXPECT_EQ(r0.anchor_offset, 0u);
  EXPECT_EQ((*ranges)[2].modules, (Strings{"intel_skl_int3472_discrete",
                                           "intel_skl_int3472_tps68470"}));
  EXPECT_EQ((*ranges)[2].start, 0xba0120u);
  EXPECT_EQ((*ranges)[3].anchor, "__start_rodata");
  EXPECT_EQ((*ranges)[4].section, ".data");
  EXPECT_EQ((*ranges)[4].anchor, "_sdata");
  // An anchor that is the section's first symbol, not its start.
  EXPECT_EQ((*ranges)[5].anchor, "early_data_start");
  EXPECT_EQ((*ranges)[5].anchor_offset, 0x40u);
  EXPECT_EQ((*ranges)[5].start, 0u);
}

TEST(ParseModulesBuiltinRangesTest, TouchingRangesAndLaterAnchor) {
  absl::StatusOr<std::vector<BuiltinRange>> ranges = ParseModulesBuiltinRanges(
      ".text 00001000-00002000 a\n"
      ".text 00000000-00000000 = _text\n"
      ".text 00002000-00003000 b\n"
      ".data 00000000-00000100 a\n"
      ".text 00003000-00003000 c",
      "r");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  ASSERT_EQ(ranges->size(), 4u);
  EXPECT_EQ((*ranges)[0].anchor, "");  // no anchor yet
  EXPECT_EQ((*ranges)[1].anchor, "_text");
  EXPECT_EQ((*ranges)[1].start, 0x2000u);
  EXPECT_EQ((*ranges)[2].section, ".data");
  EXPECT_EQ((*ranges)[2].anchor, "");
  EXPECT_EQ((*ranges)[3].start, 0x3000u);
  EXPECT_EQ((*ranges)[3].end, 0x3000u);
}

// Offsets are into one section of vmlinux: more digits are accepted while
// the value fits 32 bits; a range reaching past 4 GiB (which would wrap
// when made absolute and cover nothing) is an error.
TEST(ParseModulesBuiltinRangesTest, WideOffsets) {
  absl::StatusOr<std::vector<BuiltinRange>> ranges =
      ParseModulesBuiltinRanges(".text 0000000012345678-00000000ffffffff big\n",
                                "r");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  EXPECT_EQ((*ranges)[0].start, 0x12345678u);
  EXPECT_EQ((*ranges)[0].end, 0xffffffffu);
  for (const char* line : {".text 00000000-ffffffffffffffff big\n",
                           ".text 123456789-123456790 big\n",
                           ".text 100000000-100000000 = _text\n"}) {
    ranges = ParseModulesBuiltinRanges(line, "r");
    ASSERT_FALSE(ranges.ok()) << line;
    EXPECT_TRUE(absl::StrContains(ranges.status().message(),
                                  "reaches past 4 GiB"))
        << ranges.status();
    EXPECT_TRUE(absl::StartsWith(ranges.status().message(), "r:1: offset "))
        << ranges.status();
  }
}

TEST(ParseModulesBuiltinRangesTest, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {".text 00000000-00000000 = _text\n.text 0000baf0-0000cb10\n",
       "ranges:2: expected \"SECTION START-END MODULE...\" or \"SECTION "
       "START-END = SYMBOL\", got \".text 0000baf0-0000cb10\""},
      {".text 00000000-00000000 =\n",
       "ranges:1: expected \"SECTION START-END MODULE...\" or \"SECTION "
       "START-END = SYMBOL\", got \".text 00000000-00000000 =\""},
      {".text 00000000-00000000 = _text _stext\n",
       "ranges:1: expected \"SECTION START-END MODULE...\" or \"SECTION "
       "START-END = SYMBOL\", got \".text 00000000-00000000 = _text _stext\""},
      {".text 0000baf0-0000cb10 amd_uncore = x\n",
       "ranges:1: expected \"SECTION START-END MODULE...\" or \"SECTION "
       "START-END = SYMBOL\", got \".text 0000baf0-0000cb10 amd_uncore = x\""},
      {".text\t0000baf0-0000cb10 amd_uncore\n",
       "ranges:1: expected \"SECTION START-END MODULE...\" or \"SECTION "
       "START-END = SYMBOL\", got \".text\\t0000baf0-0000cb10 amd_uncore\""},
      {".text 0000baf0-0000cb10 amd_uncore\r\n",
       "ranges:1: expected \"SECTION START-END MODULE...\" or \"SECTION "
       "START-END = SYMBOL\", got \".text 0000baf0-0000cb10 amd_uncore\\r\""},
      {".text 0000bafg-0000cb10 amd_uncore\n",
       "ranges:1: bad offset range \"0000bafg-0000cb10\" (expected hex "
       "\"START-END\")"},
      {".text 0x0000baf0-0000cb10 amd_uncore\n",
       "ranges:1: bad offset range \"0x0000baf0-0000cb10\" (expected hex "
       "\"START-END\")"},
      {".text 0000baf0 amd_uncore iosf_mbi\n",
       "ranges:1: bad offset range \"0000baf0\" (expected hex "
       "\"START-END\")"},
      {".text 0000baf0- amd_uncore\n",
       "ranges:1: bad offset range \"0000baf0-\" (expected hex "
       "\"START-END\")"},
      {".text 0000baf0-0000cb10-0000cb20 amd_uncore\n",
       "ranges:1: bad offset range \"0000baf0-0000cb10-0000cb20\" (expected "
       "hex \"START-END\")"},
      {".text 00000000000000000-00000001 amd_uncore\n",
       "ranges:1: bad offset range \"00000000000000000-00000001\" (expected "
       "hex \"START-END\")"},
      {".text 0000cb10-0000baf0 amd_uncore\n",
       "ranges:1: offset range \"0000cb10-0000baf0\" ends before it starts"},
      {".text 00000010-00000020 = _text\n",
       "ranges:1: anchor range \"00000010-00000020\" is not empty (expected "
       "\"OFFSET-OFFSET\")"},
      {".text 00000000-00000000 = _text\n"
       ".text 0000baf0-0000cb10 amd_uncore\n"
       ".data 00000000-00001000 amd_uncore\n"
       ".text 0000cb00-0000d000 iosf_mbi\n",
       "ranges:4: range 0000cb00-0000d000 of .text starts before the end of "
       "the previous one, 0000baf0-0000cb10 (ranges must ascend without "
       "overlapping)"},
      {".text 0000baf0-0000cb10 amd_uncore\n"
       ".text 00000000-00000010 iosf_mbi\n",
       "ranges:2: range 00000000-00000010 of .text starts before the end of "
       "the previous one, 0000baf0-0000cb10 (ranges must ascend without "
       "overlapping)"},
  };
  for (const auto& [text, message] : cases) {
    absl::StatusOr<std::vector<BuiltinRange>> ranges =
        ParseModulesBuiltinRanges(text, "ranges");
    ASSERT_EQ(ranges.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
    EXPECT_EQ(ranges.status().message(), message);
  }
}

// ---- kbuild .cmd ----

// The first lines of fs/ext4/.page-io.o.cmd from a 6.12 x86_64 build
// (compiler flags in the middle shortened).
constexpr char kPageIoCmd[] =
    "savedcmd_fs/ext4/page-io.o := gcc -Wp,-MMD,fs/ext4/.page-io.o.d "
    "-nostdinc -I./arch/x86/include -I./arch/x86/include/generated  "
    "-I./include -include ./include/linux/compiler-version.h -D__KERNEL__ "
    "-fmacro-prefix-map=./= -Werror -std=gnu11 -O2 -Wno-unused-parameter    "
    "-DKBUILD_MODFILE='\"fs/ext4/ext4\"' -DKBUILD_BASENAME='\"page_io\"' "
    "-DKBUILD_MODNAME='\"ext4\"' -D__KBUILD_MODNAME=kmod_ext4 -c -o "
    "fs/ext4/page-io.o fs/ext4/page-io.c  \n"
    "\n"
    "source_fs/ext4/page-io.o := fs/ext4/page-io.c\n"
    "\n"
    "deps_fs/ext4/page-io.o := \\\n"
    "  include/linux/compiler-version.h \\\n"
    "    $(wildcard include/config/CC_VERSION_TEXT) \\\n";

TEST(ParseKbuildCmdTest, SavedCmd) {
  absl::StatusOr<std::optional<KbuildCmd>> cmd =
      ParseKbuildCmd(kPageIoCmd, "fs/ext4/.page-io.o.cmd");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_TRUE(cmd->has_value());
  EXPECT_EQ((*cmd)->object, "fs/ext4/page-io.o");
  EXPECT_EQ((*cmd)->modfile, "fs/ext4/ext4");
  EXPECT_EQ((*cmd)->modfiles, (Strings{"fs/ext4/ext4"}));
  EXPECT_EQ((*cmd)->modname, "ext4");
}

TEST(ParseKbuildCmdTest, OlderCmdPrefix) {
  absl::StatusOr<std::optional<KbuildCmd>> cmd = ParseKbuildCmd(
      "cmd_kernel/fork.o := gcc -Wp,-MMD,kernel/.fork.o.d  -nostdinc -O2    "
      "-DKBUILD_MODFILE='\"kernel/fork\"' -DKBUILD_BASENAME='\"fork\"' "
      "-DKBUILD_MODNAME='\"fork\"' -c -o kernel/fork.o kernel/fork.c\n",
      "kernel/.fork.o.cmd");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_TRUE(cmd->has_value());
  EXPECT_EQ((*cmd)->object, "kernel/fork.o");
  EXPECT_EQ((*cmd)->modfile, "kernel/fork");
  EXPECT_EQ((*cmd)->modname, "fork");
}

TEST(ParseKbuildCmdTest, ObjectSharedByTwoModules) {
  absl::StatusOr<std::optional<KbuildCmd>> cmd = ParseKbuildCmd(
      "savedcmd_drivers/platform/x86/intel/int3472/common.o := gcc -O2 "
      "-DKBUILD_MODFILE='\"drivers/platform/x86/intel/int3472/"
      "intel_skl_int3472_discrete drivers/platform/x86/intel/int3472/"
      "intel_skl_int3472_tps68470\"' -DKBUILD_BASENAME='\"common\"' "
      "-DKBUILD_MODNAME='\"intel_skl_int3472_discrete:"
      "intel_skl_int3472_tps68470\"' -D__KBUILD_MODNAME=kmod_intel_skl_"
      "int3472_discrete:intel_skl_int3472_tps68470 -c -o "
      "drivers/platform/x86/intel/int3472/common.o "
      "drivers/platform/x86/intel/int3472/common.c\n",
      "c");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_TRUE(cmd->has_value());
  EXPECT_EQ((*cmd)->modfiles, (Strings{"drivers/platform/x86/intel/int3472/"
                                       "intel_skl_int3472_discrete",
                                       "drivers/platform/x86/intel/int3472/"
                                       "intel_skl_int3472_tps68470"}));
  EXPECT_EQ((*cmd)->modname,
            "intel_skl_int3472_discrete:intel_skl_int3472_tps68470");
}

TEST(ParseKbuildCmdTest, RustObject) {
  absl::StatusOr<std::optional<KbuildCmd>> cmd = ParseKbuildCmd(
      "savedcmd_drivers/net/phy/ax88796b_rust.o := OBJTREE=/build/linux "
      "RUST_MODFILE=drivers/net/phy/ax88796b_rust rustc --edition=2021 "
      "-Zbinary_dep_depinfo=y --crate-type rlib -L ./rust/ --crate-name "
      "ax88796b_rust --emit=obj=drivers/net/phy/ax88796b_rust.o "
      "drivers/net/phy/ax88796b_rust.rs\n",
      "r");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_TRUE(cmd->has_value());
  EXPECT_EQ((*cmd)->object, "drivers/net/phy/ax88796b_rust.o");
  EXPECT_EQ((*cmd)->modfile, "drivers/net/phy/ax88796b_rust");
  EXPECT_EQ((*cmd)->modname, "");
}

TEST(ParseKbuildCmdTest, NoModuleFileIsNotAnError) {
  const char* cases[] = {
      // Assembler: KBUILD_MODNAME but no KBUILD_MODFILE.
      "savedcmd_arch/x86/kernel/head_64.o := gcc -Wp,-MMD,arch/x86/kernel/"
      ".head_64.o.d -nostdinc -D__ASSEMBLY__ -DKBUILD_BASENAME='\"head_64\"' "
      "-DKBUILD_MODNAME='\"head_64\"' -D__KBUILD_MODNAME=kmod_head_64 -c -o "
      "arch/x86/kernel/head_64.o arch/x86/kernel/head_64.S\n",
      // Archive and partial link.
      "savedcmd_fs/ext4/built-in.a := rm -f fs/ext4/built-in.a;  printf "
      "\"fs/ext4/%s \" balloc.o bitmap.o | xargs ar cDPrST "
      "fs/ext4/built-in.a\n",
      "savedcmd_fs/ext4/ext4.o := ld -m elf_x86_64 -z noexecstack -r -o "
      "fs/ext4/ext4.o @fs/ext4/ext4.mod\n",
      // Linux 4.x, before KBUILD_MODFILE existed.
      "cmd_kernel/kallsyms.o := gcc -Wp,-MD,kernel/.kallsyms.o.d  -nostdinc "
      "-D__KERNEL__ -DCC_HAVE_ASM_GOTO -c -o kernel/kallsyms.o "
      "kernel/kallsyms.c\n",
      // The flag name inside another word is not the flag.
      "savedcmd_a.o := gcc -DX-DKBUILD_MODFILE='\"a\"' -c -o a.o a.c\n",
  };
  for (const char* text : cases) {
    absl::StatusOr<std::optional<KbuildCmd>> cmd = ParseKbuildCmd(text, "c");
    ASSERT_TRUE(cmd.ok()) << cmd.status();
    EXPECT_FALSE(cmd->has_value()) << text;
  }
}

TEST(ParseKbuildCmdTest, OnlyTheFirstLineCounts) {
  absl::StatusOr<std::optional<KbuildCmd>> cmd = ParseKbuildCmd(
      "savedcmd_a.o := gcc -c -o a.o a.c\n"
      "source_a.o := a.c -DKBUILD_MODFILE='\"a\"'\n",
      "c");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_FALSE(cmd->has_value());
}

TEST(ParseKbuildCmdTest, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"",
       "x.cmd:1: expected \"savedcmd_OBJECT := COMMAND\" (or "
       "\"cmd_OBJECT := COMMAND\"), got \"\""},
      {"source_fs/ext4/super.o := fs/ext4/super.c\n",
       "x.cmd:1: expected \"savedcmd_OBJECT := COMMAND\" (or "
       "\"cmd_OBJECT := COMMAND\"), got \"source_fs/ext4/super.o := "
       "fs/ext4/super.c\""},
      {"savedcmd_fs/ext4/super.o = gcc\n",
       "x.cmd:1: expected \"savedcmd_OBJECT := COMMAND\" (or "
       "\"cmd_OBJECT := COMMAND\"), got \"savedcmd_fs/ext4/super.o = gcc\""},
      {"savedcmd_ := gcc\n",
       "x.cmd:1: expected \"savedcmd_OBJECT := COMMAND\" (or "
       "\"cmd_OBJECT := COMMAND\"), got \"savedcmd_ := gcc\""},
      {"savedcmd_fs/ext4/super.o := gcc -DKBUILD_MODFILE=fs/ext4/ext4 -c\n",
       "x.cmd:1: bad -DKBUILD_MODFILE= value \"fs/ext4/ext4\" (expected "
       "'\"VALUE\"')"},
      {"savedcmd_fs/ext4/super.o := gcc -DKBUILD_MODFILE='\"fs/ext4/ext4 -c\n",
       "x.cmd:1: bad -DKBUILD_MODFILE= value \"\\'\\\"fs/ext4/ext4\" "
       "(expected '\"VALUE\"')"},
      {"savedcmd_fs/ext4/super.o := gcc -DKBUILD_MODFILE='\"\"' -c\n",
       "x.cmd:1: bad -DKBUILD_MODFILE= value \"\\'\\\"\\\"\\'\" (expected "
       "'\"VALUE\"')"},
      // Blanks only: no module file at all (found by fuzz/kbuild_cmd).
      {"savedcmd_fs/ext4/super.o := gcc -DKBUILD_MODFILE='\"  \"' -c\n",
       "x.cmd:1: bad -DKBUILD_MODFILE= value \"\\'\\\"\" (expected "
       "'\"VALUE\"')"},
      {"savedcmd_fs/ext4/super.o := gcc -DKBUILD_MODFILE='\"fs/ext4/ext4\"' "
       "-DKBUILD_MODNAME=ext4 -c\n",
       "x.cmd:1: bad -DKBUILD_MODNAME= value \"ext4\" (expected "
       "'\"VALUE\"')"},
      {"savedcmd_a.o := gcc -DKBUILD_MODFILE='\"fs/ext4/ext4 "
       "-DKBUILD_MODNAME='\"ext4\"' -c\n",
       "x.cmd:1: bad -DKBUILD_MODFILE= value \"\\'\\\"fs/ext4/ext4\" "
       "(expected '\"VALUE\"')"},
      {"savedcmd_a.o := RUST_MODFILE= rustc a.rs\n",
       "x.cmd:1: empty RUST_MODFILE= value"},
  };
  for (const auto& [text, message] : cases) {
    absl::StatusOr<std::optional<KbuildCmd>> cmd =
        ParseKbuildCmd(text, "x.cmd");
    ASSERT_EQ(cmd.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(cmd.status().message(), message);
  }
}

}  // namespace
}  // namespace ksym
