#include "symbolizer/sources/kallsyms.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// Lines copied from a running 6.18 x86_64 kernel's /proc/kallsyms.
constexpr char kLiveKallsyms[] =
    "ffffffff81000000 T srso_alias_untrain_ret\n"
    "ffffffff81000000 T _stext\n"
    "ffffffff81000000 T _text\n"
    "ffffffff81207610 W abort\n"
    "ffffffff815ca9a0 t "
    "__pfx_trace_event_get_offsets_mm_setup_per_zone_lowmem_reserve.isra.0\n"
    "ffffffff828bc940 R __start_pci_fixups_early\n"
    "ffffffff82400000 D __start_rodata\n"
    "ffffffff83783000 B __init_begin\n"
    "ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]\n";

TEST(ParseKallsymsTest, RealLines) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseKallsyms(kLiveKallsyms, "/proc/kallsyms");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 9u);
  EXPECT_EQ((*entries)[0].address, 0xffffffff81000000u);
  EXPECT_EQ((*entries)[0].type, 'T');
  EXPECT_EQ((*entries)[0].name, "srso_alias_untrain_ret");
  EXPECT_EQ((*entries)[0].module, "");
  EXPECT_EQ((*entries)[3].type, 'W');
  EXPECT_EQ((*entries)[3].name, "abort");
  EXPECT_EQ((*entries)[4].type, 't');
  EXPECT_EQ(
      (*entries)[4].name,
      "__pfx_trace_event_get_offsets_mm_setup_per_zone_lowmem_reserve.isra.0");
  EXPECT_EQ((*entries)[7].type, 'B');
  EXPECT_EQ((*entries)[8].address, 0xffffffffc0201000u);
  EXPECT_EQ((*entries)[8].name, "ftrace_trampoline");
  EXPECT_EQ((*entries)[8].module, "__builtin__ftrace");
}

TEST(ParseKallsymsTest, LoadableModuleLines) {
  // The kernel prints module symbols as "%px %c %s\t[%s]".
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseKallsyms(
      "ffffffffc0a01000 t ext4_fill_super\t[ext4]\n"
      "ffffffffc0a02000 D ext4_sops\t[ext4]\n"
      "ffffffffc0b00000 t bpf_prog_6deef7357e7b4530_sd_fw_ingress\t[bpf]\n",
      "kallsyms");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "ext4_fill_super");
  EXPECT_EQ((*entries)[0].module, "ext4");
  EXPECT_EQ((*entries)[1].type, 'D');
  EXPECT_EQ((*entries)[1].module, "ext4");
  EXPECT_EQ((*entries)[2].module, "bpf");
}

TEST(ParseKallsymsTest, LastLineWithoutNewlineAndEmptyLines) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseKallsyms(
      "\nffffffff81000000 T _text\n\n\nffffffff8135f600 T do_exit", "k");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[1].address, 0xffffffff8135f600u);
  EXPECT_EQ((*entries)[1].name, "do_exit");
}

// An empty file is no kernel: never a 0-symbol index.
TEST(ParseKallsymsTest, EmptyTextIsAnError) {
  for (const char* text : {"", "\n\n"}) {
    absl::StatusOr<std::vector<KallsymsEntry>> entries =
        ParseKallsyms(text, "k");
    EXPECT_EQ(entries.status(),
              absl::InvalidArgumentError(
                  "k: no symbols (expected lines like \"ffffffff81000000 T "
                  "_text\")"));
    EXPECT_EQ(ParseSystemMap(text, "map").status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(ParseKallsymsTest, ThirtyTwoBitAddresses) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseKallsyms(
      "c1000000 T _text\nc1000000 T startup_32\nf8a3c000 t "
      "nfs_fill_super\t[nfs]\n",
      "kallsyms32");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].address, 0xc1000000u);
  EXPECT_EQ((*entries)[2].address, 0xf8a3c000u);
  EXPECT_EQ((*entries)[2].module, "nfs");
}

TEST(ParseKallsymsTest, MixedAddressWidthsAreAnError) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseKallsyms("ffffffff81000000 T _text\nc1000000 T _text\n", "mixed");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(entries.status().message(),
            "mixed:2: address \"c1000000\" has 8 hex digits, earlier lines "
            "have 16");
}

TEST(ParseKallsymsTest, LongestKernelNameAndLonger) {
  // KSYM_NAME_LEN is 512 including the NUL: 511 bytes is the longest name
  // the kernel has; a longer one is refused where it is read.
  std::string name(511, 'x');
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseKallsyms("ffffffff81000000 t " + name + "\t[mod]\n", "k");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, name);
  EXPECT_EQ((*entries)[0].module, "mod");
  for (size_t length : {size_t{512}, size_t{1500}}) {
    entries = ParseSystemMap("ffffffff81000000 T _text\nffffffff81000000 t " +
                                 std::string(length, 'y') + "\n",
                             "System.map");
    EXPECT_EQ(entries.status(),
              absl::InvalidArgumentError(absl::StrCat(
                  "System.map:2: symbol name of ", length, " bytes (\"",
                  std::string(40, 'y'),
                  "\"...) is longer than 511 (the kernel's KSYM_NAME_LEN - "
                  "1)")));
  }
}

TEST(ParseKallsymsTest, NameLengthsAroundWordBoundaries) {
  // Names are scanned eight bytes at a time; every tail length must work,
  // with and without a module, a newline, or a following line.
  for (size_t length = 1; length <= 25; ++length) {
    std::string name;
    for (size_t i = 0; i < length; ++i) name += static_cast<char>('a' + i);
    for (const char* module : {"", "ext4"}) {
      std::string line = "ffffffff81000000 t " + name;
      if (*module != '\0') line += std::string("\t[") + module + "]";
      for (const std::string& text :
           {line, line + "\n", line + "\nffffffff81000010 T x\n"}) {
        absl::StatusOr<std::vector<KallsymsEntry>> entries =
            ParseKallsyms(text, "k");
        ASSERT_TRUE(entries.ok()) << entries.status() << " for " << text;
        ASSERT_FALSE(entries->empty());
        EXPECT_EQ((*entries)[0].name, name);
        EXPECT_EQ((*entries)[0].module, module);
        EXPECT_EQ((*entries)[0].address, 0xffffffff81000000u);
      }
    }
  }
}

TEST(ParseKallsymsTest, EveryHexDigit) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseKallsyms(
      "0123456789abcdef T a\nfedcba9876543210 T b\nABCDEF0123456789 T c\n",
      "k");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ((*entries)[0].address, 0x0123456789abcdefu);
  EXPECT_EQ((*entries)[1].address, 0xfedcba9876543210u);
  EXPECT_EQ((*entries)[2].address, 0xabcdef0123456789u);
  entries = ParseKallsyms("89abcdef T a\n01234567 T b\n", "k");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ((*entries)[0].address, 0x89abcdefu);
  EXPECT_EQ((*entries)[1].address, 0x01234567u);
}

TEST(ParseKallsymsTest, AllZeroAddressesMeanHiddenAddresses) {
  // What a non-root reader sees with kernel.kptr_restrict=1.
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseKallsyms(
      "0000000000000000 T _stext\n"
      "0000000000000000 T _text\n"
      "0000000000000000 t ftrace_trampoline\t[__builtin__ftrace]\n",
      "/proc/kallsyms");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(entries.status().message(),
            "/proc/kallsyms: all 3 addresses are zero: the file was read "
            "without the privilege to see kernel addresses "
            "(kernel.kptr_restrict); read it as root, or set "
            "kernel.kptr_restrict=0 and kernel.perf_event_paranoid<=1");
}

TEST(ParseKallsymsTest, SomeZeroAddressesAreFine) {
  // x86_64 per-cpu symbols are offsets; the first one is 0 even for root.
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseKallsyms(
      "0000000000000000 D __per_cpu_start\n"
      "0000000000000000 D fixed_percpu_data\n"
      "ffffffff81000000 T _text\n",
      "k");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].address, 0u);
}

TEST(ParseKallsymsTest, UppercaseHexIsAccepted) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseKallsyms("FFFFFFFF81000000 T _text\n", "k");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ((*entries)[0].address, 0xffffffff81000000u);
}

struct ErrorCase {
  const char* text;
  const char* message;
};

class KallsymsErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(KallsymsErrorTest, ExactMessage) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseKallsyms(GetParam().text, "/tmp/kallsyms");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument)
      << entries.status();
  EXPECT_EQ(entries.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Messages, KallsymsErrorTest,
    testing::Values(
        ErrorCase{"ffffffff81000000 T _text\nffffffff81000010\n",
                  "/tmp/kallsyms:2: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000010\""},
        ErrorCase{"ffffffff81000000 T\n",
                  "/tmp/kallsyms:1: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000000 T\""},
        ErrorCase{"ffffffff81000000 T \n",
                  "/tmp/kallsyms:1: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000000 T \""},
        ErrorCase{"ffffffff81000000  T _text\n",
                  "/tmp/kallsyms:1: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000000  T _text\""},
        ErrorCase{"ffffffff81000000 Tx _text\n",
                  "/tmp/kallsyms:1: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000000 Tx _text\""},
        ErrorCase{"ffffffff81000000 t \t[ext4]\n",
                  "/tmp/kallsyms:1: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000000 t \\t[ext4]\""},
        // Long lines are quoted up to 80 bytes.
        ErrorCase{"ffffffff81000000\tT\ta_very_long_symbol_name_that_goes_"
                  "on_and_on_and_on_and_on_and_on_and_on\n",
                  "/tmp/kallsyms:1: expected \"ADDRESS TYPE NAME[\\t[MODULE]]\""
                  ", got \"ffffffff81000000\\tT\\ta_very_long_symbol_name_"
                  "that_goes_on_and_on_and_on_and_on_and\"..."},
        ErrorCase{"ffffffff8100000g T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000g\" (expected"
                  " 8 or 16 hex digits)"},
        ErrorCase{"0xffffffff81000000 T _text\n",
                  "/tmp/kallsyms:1: bad address \"0xffffffff81000000\" "
                  "(expected 8 or 16 hex digits)"},
        ErrorCase{"ffffffff8100000 T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000\" (expected "
                  "8 or 16 hex digits)"},
        ErrorCase{" T _text\n",
                  "/tmp/kallsyms:1: bad address \"\" (expected 8 or 16 hex "
                  "digits)"},
        ErrorCase{"ffffffff81000000 ? _text\n",
                  "/tmp/kallsyms:1: bad symbol type '?' (expected a letter)"},
        ErrorCase{"ffffffff81000000 \x01 _text\n",
                  "/tmp/kallsyms:1: bad symbol type '\\x01' (expected a "
                  "letter)"},
        ErrorCase{"ffffffff81000000 T _text\r\n",
                  "/tmp/kallsyms:1: bad character '\\r' in symbol name "
                  "\"_text\""},
        ErrorCase{"ffffffff81000000 T _te\x7fxt\n",
                  "/tmp/kallsyms:1: bad character '\\x7f' in symbol name "
                  "\"_te\""},
        // Query syntax in a name: printable, but no query could select it.
        ErrorCase{"ffffffff81000000 t x+0x10\n",
                  "/tmp/kallsyms:1: symbol name \"x+0x10\" holds '+': no "
                  "kernel symbol name holds + : @ [ ] { } * or ? (ksym's query "
                  "syntax), and no query could select this one"},
        ErrorCase{"ffffffff81000000 t m:f\n",
                  "/tmp/kallsyms:1: symbol name \"m:f\" holds ':': no "
                  "kernel symbol name holds + : @ [ ] { } * or ? (ksym's query "
                  "syntax), and no query could select this one"},
        ErrorCase{"ffffffff81000000 t vfs_rea*\tabc\n",
                  "/tmp/kallsyms:1: symbol name \"vfs_rea*\" holds '*': no "
                  "kernel symbol name holds + : @ [ ] { } * or ? (ksym's query "
                  "syntax), and no query could select this one"},
        // Every non-hex neighbour of the digit ranges.
        ErrorCase{"ffffffff8100000/ T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000/\" (expected"
                  " 8 or 16 hex digits)"},
        ErrorCase{"ffffffff8100000: T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000:\" (expected"
                  " 8 or 16 hex digits)"},
        ErrorCase{"ffffffff8100000@ T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000@\" (expected"
                  " 8 or 16 hex digits)"},
        ErrorCase{"ffffffff8100000G T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000G\" (expected"
                  " 8 or 16 hex digits)"},
        ErrorCase{"ffffffff8100000` T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000`\" (expected"
                  " 8 or 16 hex digits)"},
        ErrorCase{"ffffffff8100000\xc6 T _text\n",
                  "/tmp/kallsyms:1: bad address \"ffffffff8100000\\xc6\" "
                  "(expected 8 or 16 hex digits)"},
        ErrorCase{"ffffffff81000000 T _text extra\n",
                  "/tmp/kallsyms:1: bad character ' ' in symbol name "
                  "\"_text\""},
        ErrorCase{"ffffffffc0a01000 t ext4_fill_super\t[ext4\n",
                  "/tmp/kallsyms:1: missing ']' after module name in "
                  "\"ffffffffc0a01000 t ext4_fill_super\\t[ext4\""},
        ErrorCase{"ffffffffc0a01000 t ext4_fill_super\t[]\n",
                  "/tmp/kallsyms:1: bad module annotation \"\\t[]\" (expected"
                  " \"\\t[MODULE]\" at the end of the line)"},
        ErrorCase{"ffffffffc0a01000 t ext4_fill_super\text4\n",
                  "/tmp/kallsyms:1: bad module annotation \"\\text4\" "
                  "(expected \"\\t[MODULE]\" at the end of the line)"},
        ErrorCase{"ffffffffc0a01000 t ext4_fill_super\t[ext4]\r\n",
                  "/tmp/kallsyms:1: bad module annotation \"\\t[ext4]\\r\" "
                  "(expected \"\\t[MODULE]\" at the end of the line)"},
        // /proc/kallmodsyms syntax is not /proc/kallsyms.
        ErrorCase{"ffffffff97d82520 t lio_ethtool_get_channels\t[liquidio] "
                  "[liquidio_vf]\n",
                  "/tmp/kallsyms:1: bad module annotation \"\\t[liquidio] "
                  "[liquidio_vf]\" (expected \"\\t[MODULE]\" at the end of the "
                  "line)"}));

TEST(ParseSystemMapTest, RealLines) {
  // The head of a 5.19 x86_64 System.map: per-cpu offsets and an absolute
  // symbol come first.
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseSystemMap(
      "0000000000000000 D __per_cpu_start\n"
      "0000000000000000 D fixed_percpu_data\n"
      "00000000000001ea A kexec_control_code_size\n"
      "0000000000001000 D cpu_debug_store\n"
      "ffffffff81000000 T _stext\n"
      "ffffffff81000000 T _text\n",
      "System.map-5.19.0");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 6u);
  EXPECT_EQ((*entries)[2].address, 0x1eau);
  EXPECT_EQ((*entries)[2].type, 'A');
  EXPECT_EQ((*entries)[2].name, "kexec_control_code_size");
  EXPECT_EQ((*entries)[5].address, 0xffffffff81000000u);
  EXPECT_EQ((*entries)[5].module, "");
}

TEST(ParseSystemMapTest, AllZeroIsNotAPrivilegeProblem) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseSystemMap(
      "0000000000000000 D __per_cpu_start\n"
      "0000000000000000 D fixed_percpu_data\n",
      "System.map");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ(entries->size(), 2u);
}

TEST(ParseSystemMapTest, LocalAbsoluteAndUnknownTypes) {
  // mksysmap drops 'a' nowadays, but old System.map files and plain nm
  // output have it; nm prints '?' for a type it cannot classify.
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseSystemMap("0000000000000000 a VDSO32_PRELINK\n", "m");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ((*entries)[0].type, 'a');
  entries = ParseSystemMap("c0100000 ? odd\n", "m");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ((*entries)[0].type, '?');
  EXPECT_EQ((*entries)[0].address, 0xc0100000u);
}

TEST(ParseSystemMapTest, ModuleColumnIsAnError) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries = ParseSystemMap(
      "ffffffff81000000 T _text\nffffffffc0a01000 t ext4_fill_super\t[ext4]\n",
      "/boot/System.map-6.1.0");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(entries.status().message(),
            "/boot/System.map-6.1.0:2: unexpected tab in \"ffffffffc0a01000 t "
            "ext4_fill_super\\t[ext4]\" (System.map has no module column)");
}

TEST(ParseSystemMapTest, ErrorMessagesNameTheFormat) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseSystemMap("                 U printk\n", "System.map");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(entries.status().message(),
            "System.map:1: bad address \"\" (expected 8 or 16 hex digits)");

  entries = ParseSystemMap("ffffffff81000000 T\n", "System.map");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(entries.status().message(),
            "System.map:1: expected \"ADDRESS TYPE NAME\", got "
            "\"ffffffff81000000 T\"");

  entries = ParseSystemMap("ffffffff81000000 - stab\n", "System.map");
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(entries.status().message(),
            "System.map:1: bad symbol type '-' (expected a letter or '?')");
}

TEST(IsPseudoModuleTest, BuiltinAndBpfAreNotModules) {
  for (const char* m : {"__builtin__ftrace", "__builtin__kprobes",
                        "__builtin__anything", "bpf"}) {
    EXPECT_TRUE(IsPseudoModule(m)) << m;
  }
  for (const char* m : {"ext4", "bpf_preload", "builtin", "__builtin", ""}) {
    EXPECT_FALSE(IsPseudoModule(m)) << m;
  }
}

// arm64 System.map lines the kernel's kallsyms leaves out (nVHE KVM
// objects linked with `ld -r` and prefixed: their mapping symbols and local
// labels, one with the \x02 byte GNU as puts in them; every EFI stub
// symbol): skipped, never a failed build; the lines around them are kept.
TEST(ParseSystemMapTest, SkipsWhatTheKernelsKallsymsSkips) {
  const std::string text =
      std::string("ffff800008000000 T _text\n"
                  "ffff800008010000 t __kvm_nvhe_$x\n"
                  "ffff800008010000 T __kvm_nvhe___kvm_vcpu_run\n"
                  "ffff800008010040 t __kvm_nvhe_.L14472") +
      '\x02' +
      "1\n"
      "ffff800008010080 t $d\n"
      "ffff800008010100 t __efistub_$x\n"
      "ffff800008010104 t __efistub_efi_pe_entry\n"
      "ffff800008010200 T el1_sync\n";
  absl::StatusOr<std::vector<KallsymsEntry>> e =
      ParseSystemMap(text, "System.map");
  ASSERT_TRUE(e.ok()) << e.status();
  std::vector<std::string> names;
  for (const KallsymsEntry& x : *e) names.push_back(x.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "_text", "__kvm_nvhe___kvm_vcpu_run", "el1_sync"}));
  // A \x02 elsewhere is still an error that says where.
  absl::StatusOr<std::vector<KallsymsEntry>> bad = ParseSystemMap(
      std::string("ffff800008000000 T _text\nffff800008000010 t foo\x02x\n"),
      "System.map");
  ASSERT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("System.map:2:"),
            absl::string_view::npos)
      << bad.status();
}

// A loaded arm64 module's local label with GNU as's \x02 byte (sha256-arm64:
// ".L14472\x02" "1" in .rodata.str) reaches /proc/kallsyms: the line is
// skipped, never a failed build; a \x02 in any other name is an error.
TEST(ParseKallsymsTest, SkipsAModuleLocalLabelWithAControlByte) {
  const std::string text = std::string(
                               "ffff800008000000 T _text\n"
                               "ffff800001004000 r .L14472") +
                           '\x02' +
                           "1\t[sha256_arm64]\n"
                           "ffff800001000000 t sha256_block_data_order\t"
                           "[sha256_arm64]\n";
  absl::StatusOr<std::vector<KallsymsEntry>> e = ParseKallsyms(text, "k");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[1].name, "sha256_block_data_order");
  EXPECT_EQ((*e)[1].module, "sha256_arm64");
  EXPECT_TRUE(absl::IsInvalidArgument(
      ParseKallsyms(std::string("ffff800001000000 t foo\x02" "1\t[m]\n"), "k")
          .status()));
}

}  // namespace
}  // namespace ksym
