#include "symbolizer/index/name_codec.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// Names as /proc/kallsyms shows them on x86_64 (6.1 to 6.12 kernels).
const char* const kNames[] = {
    "__x64_sys_getpid",
    "__ia32_sys_getpid",
    "__x64_sys_getppid",
    "__se_sys_getppid",
    "__do_sys_getppid",
    "__pfx___x64_sys_getpid",
    "__pfx___x64_sys_getppid",
    "__x64_sys_read",
    "__x64_sys_write",
    "__x64_sys_openat",
    "__x64_sys_close",
    "__x64_sys_mmap",
    "__x64_sys_munmap",
    "ext4_fill_super",
    "ext4_get_tree",
    "ext4_put_super",
    "ext4_statfs",
    "ext4_sync_fs",
    "ext4_alloc_inode",
    "ext4_free_inode",
    "ext4_evict_inode",
    "ext4_da_write_begin",
    "ext4_da_write_end",
    "ext4_writepages",
    "ext4_readahead",
    "__pfx_ext4_fill_super",
    "__pfx_ext4_get_tree",
    "type_show",
    "type_show",
    "type_store",
    "size_show",
    "name_show",
    "state_show",
    "_raw_spin_lock",
    "_raw_spin_lock_irq",
    "_raw_spin_lock_irqsave",
    "_raw_spin_unlock",
    "_raw_spin_unlock_irqrestore",
    "_raw_read_lock",
    "_raw_write_lock_bh",
    "__pfx__raw_spin_lock_irqsave",
    "init_once",
    "init_once",
    "init_once.constprop.0",
    "init_once.isra.0",
    "__list_del_entry",
    "__list_add_valid_or_report",
    "kmem_cache_alloc",
    "kmem_cache_free",
    "kmem_cache_create",
    "kmalloc_trace",
    "__kmalloc",
    "kfree",
    "schedule",
    "schedule_timeout",
    "__schedule",
    "do_syscall_64",
    "entry_SYSCALL_64",
    "entry_SYSCALL_64_after_hwframe",
    "asm_exc_page_fault",
    "exc_page_fault",
    "handle_mm_fault",
    "__handle_mm_fault",
    "do_user_addr_fault",
    "copy_process",
    "kernel_clone",
    "__do_sys_clone",
    "wake_up_new_task",
    "try_to_wake_up",
    "ttwu_do_activate",
    "enqueue_task_fair",
    "dequeue_task_fair",
    "pick_next_task_fair",
    "update_curr",
    "update_load_avg",
    "tcp_v4_rcv",
    "tcp_v4_connect",
    "tcp_sendmsg",
    "tcp_recvmsg",
    "ip_rcv",
    "ip_output",
    "ip_finish_output2",
    "__netif_receive_skb_core.constprop.0",
    "net_rx_action",
    "napi_gro_receive",
    "rapl_cpu_offline",
    "amd_pmu_event_map",
    "lio_ethtool_get_channels",
    "cn23xx_vf_mbox_thread",
    "_sub_I_65535_1",
    "_sub_D_65535_0",
    "__UNIQUE_ID_ddebug123",
    "__SCT__tp_func_sched_switch",
    "__SCK__tp_func_sched_switch",
    "__tracepoint_sched_switch",
    "__traceiter_sched_switch",
    "trace_event_raw_event_sched_switch",
    "perf_trace_sched_switch",
    "__bpf_trace_sched_switch",
    "__ksymtab_printk",
    "__kstrtab_printk",
    "_printk",
    "vprintk_emit",
    "console_unlock",
    "nvme_queue_rq",
    "nvme_complete_rq",
    "blk_mq_submit_bio",
    "submit_bio_noacct",
    "$x",
    "_stext",
    "_text",
    "_etext",
    "srso_alias_untrain_ret",
    "__per_cpu_start",
    "fixed_percpu_data",
    "irq_stack_backing_store",
    "cpu_tss_rw",
    "xen_hypercall_set_trap_table",
    "acpi_ns_lookup",
    "AcpiNsLookup",
    "ZSTD_decompressStream",
    "HUF_decompress4X_usingDTable",
};

std::vector<absl::string_view> EmbeddedNames() {
  return std::vector<absl::string_view>(std::begin(kNames), std::end(kNames));
}

// This machine's /proc/kallsyms names, or the embedded list where it is
// unreadable.
std::vector<std::string> KallsymsOrEmbedded() {
  std::vector<std::string> names;
  std::ifstream in("/proc/kallsyms");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.size() >= 3) names.emplace_back(f[2]);
  }
  if (names.empty()) names.assign(std::begin(kNames), std::end(kNames));
  return names;
}

std::string Encode(const NameCodec& codec, absl::string_view name) {
  std::string out;
  absl::Status st = codec.Encode(name, &out);
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

// Greedy longest match straight from the expansions: the encoder must emit
// exactly this.
std::string ReferenceEncode(const NameDecoder& dec, absl::string_view name) {
  std::string out;
  size_t i = 0;
  while (i < name.size()) {
    int best = -1;
    size_t best_len = 0;
    for (int c = 0; c < 256; ++c) {
      absl::string_view e = dec.Expansion(static_cast<uint8_t>(c));
      if (!e.empty() && e.size() > best_len && name.substr(i, e.size()) == e) {
        best = c;
        best_len = e.size();
      }
    }
    if (best < 0) return "<no code>";
    out.push_back(static_cast<char>(best));
    i += best_len;
  }
  return out;
}

// A serialized table: literal codes for `literals`, then code -> expansion.
std::string MakeTable(absl::string_view literals,
                      const std::vector<std::pair<int, std::string>>& tokens) {
  std::string t(NameCodec::kTableSize, '\0');
  std::memcpy(&t[0], "KSNT\x01\0\0\0", 8);
  for (char c : literals) {
    uint8_t b = static_cast<uint8_t>(c);
    t[8 + b] = 1;
    t[264 + 16 * b] = c;
  }
  for (const auto& [code, exp] : tokens) {
    t[8 + code] = static_cast<char>(exp.size());
    std::memcpy(&t[264 + 16 * code], exp.data(), exp.size());
  }
  return t;
}

TEST(NameCodecTest, RoundTripsEmbeddedNames) {
  std::vector<absl::string_view> names = EmbeddedNames();
  NameCodec codec = NameCodec::Learn(names);
  size_t plain = 0, encoded = 0;
  for (absl::string_view name : names) {
    std::string enc = Encode(codec, name);
    EXPECT_EQ(codec.DecodeToString(enc), name);
    EXPECT_TRUE(codec.Equals(enc, name)) << name;
    EXPECT_EQ(enc, ReferenceEncode(codec.decoder(), name)) << name;
    plain += name.size();
    encoded += enc.size();
  }
  EXPECT_GT(codec.merged_codes(), 100);
  EXPECT_LT(encoded, plain / 2) << "learned on these names, they compress";
}

TEST(NameCodecTest, RoundTripsKallsyms) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  size_t plain = 0, encoded = 0;
  std::string enc;
  char buf[1024];
  for (absl::string_view name : names) {
    enc.clear();
    ASSERT_TRUE(codec.Encode(name, &enc).ok()) << name;
    size_t n = codec.Decode(enc, buf, sizeof(buf));
    ASSERT_EQ(absl::string_view(buf, n), name);
    ASSERT_TRUE(codec.Equals(enc, name)) << name;
    plain += name.size();
    encoded += enc.size();
  }
  // Learned from a sample, the table still fits all names.
  EXPECT_LE(static_cast<double>(encoded) / plain, 0.55)
      << names.size() << " names";
}

TEST(NameCodecTest, EncodeAllMatchesEncode) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  // Every count of names up to a few per lane, then all of them.
  std::vector<size_t> counts = {0, 1, 2, 3, 4, 5, 9, 1000, names.size()};
  for (size_t count : counts) {
    if (count > names.size()) continue;
    std::vector<absl::string_view> some(names.begin(), names.begin() + count);
    some.insert(some.begin() + count / 2, "");  // an empty name mid-lane
    std::string all = "prefix";
    std::vector<uint32_t> ends = {7, 7, 7};
    ASSERT_TRUE(codec.EncodeAll(some, &all, &ends).ok());
    ASSERT_EQ(ends.size(), some.size());
    std::string expected = "prefix";
    for (size_t i = 0; i < some.size(); ++i) {
      ASSERT_TRUE(codec.Encode(some[i], &expected).ok());
      ASSERT_EQ(ends[i], expected.size()) << count << " names, name " << i;
    }
    ASSERT_EQ(all, expected) << count << " names";
  }
}

TEST(NameCodecTest, EncodeAllReportsTheFirstBadName) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::vector<absl::string_view> names = EmbeddedNames();
  names[100] = "ext4_super!";
  names[3] = "tab\there";
  std::string out = "kept";
  std::vector<uint32_t> ends;
  absl::Status st = codec.EncodeAll(names, &out, &ends);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "name \"tab\\there\" has byte 0x09 at offset 3 that the name "
            "table has no code for (expected only bytes that occurred in the "
            "names the table was learned from)");
  EXPECT_EQ(out, "kept");
  // Only a name in the last lane.
  names = EmbeddedNames();
  names[names.size() - 2] = "ext4_super!";
  st = codec.EncodeAll(names, &out, &ends);
  EXPECT_EQ(st.message(),
            "name \"ext4_super!\" has byte 0x21 at offset 10 that the name "
            "table has no code for (expected only bytes that occurred in the "
            "names the table was learned from)");
  EXPECT_EQ(out, "kept");
}

TEST(NameCodecTest, EncoderIsGreedyLongestMatch) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  for (size_t i = 0; i < names.size(); i += 37) {
    ASSERT_EQ(Encode(codec, names[i]),
              ReferenceEncode(codec.decoder(), names[i]))
        << names[i];
  }
}

// Matches that fail after several bytes must back off to the longest
// expansion read so far and re-read the rest.
TEST(NameCodecTest, EncoderBacksOffLikeGreedy) {
  std::string table = MakeTable("abcdx", {{0x80, "abcd"},
                                          {0x81, "bc"},
                                          {0x82, "abx"},
                                          {0x83, "bcdab"},
                                          {0x84, "cdabcdabcdabcda"},
                                          {0x85, "ab"},
                                          {0x86, "dabc"}});
  absl::StatusOr<NameCodec> codec = NameCodec::FromSerialized(table);
  ASSERT_TRUE(codec.ok()) << codec.status();
  EXPECT_EQ(Encode(*codec, "abcx"), "\x85\x63x");
  EXPECT_EQ(Encode(*codec, "abcd"), "\x80");
  EXPECT_EQ(Encode(*codec, "abc"), "\x85\x63");
  EXPECT_EQ(Encode(*codec, "bcda"), "\x81\x64\x61");
  // Every string over the alphabet up to length 7, and some longer ones.
  std::string s;
  std::vector<std::string> inputs = {"", "cdabcdabcdabcdx", "cdabcdabcdabcd",
                                     "bcdabcdabcdabcdabcdax"};
  for (int len = 1; len <= 7; ++len) {
    int total = 1;
    for (int i = 0; i < len; ++i) total *= 5;
    for (int v = 0; v < total; ++v) {
      s.clear();
      for (int i = 0, x = v; i < len; ++i, x /= 5) s.push_back("abcdx"[x % 5]);
      inputs.push_back(s);
    }
  }
  std::string expected;
  for (const std::string& in : inputs) {
    std::string enc = Encode(*codec, in);
    ASSERT_EQ(enc, ReferenceEncode(codec->decoder(), in)) << in;
    ASSERT_EQ(codec->DecodeToString(enc), in);
    expected += enc;
  }
  // The same through EncodeAll, which emits long backoffs from a pool.
  std::vector<absl::string_view> views(inputs.begin(), inputs.end());
  std::string all;
  std::vector<uint32_t> ends;
  ASSERT_TRUE(codec->EncodeAll(views, &all, &ends).ok());
  EXPECT_EQ(all, expected);
  EXPECT_EQ(ends.back(), expected.size());
}

TEST(NameCodecTest, LearningIsDeterministic) {
  std::vector<std::string> storage = KallsymsOrEmbedded();
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec a = NameCodec::Learn(names);
  NameCodec b = NameCodec::Learn(names);
  EXPECT_EQ(a.Serialize(), b.Serialize());
  absl::StatusOr<NameCodec> c = NameCodec::FromSerialized(a.Serialize());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->Serialize(), a.Serialize());
  for (size_t i = 0; i < names.size(); i += 101) {
    EXPECT_EQ(Encode(*c, names[i]), Encode(a, names[i]));
  }
}

TEST(NameCodecTest, SerializedLayout) {
  NameCodec codec = NameCodec::Learn({"ab", "ab", "ab"});
  const std::string& t = codec.Serialize();
  ASSERT_EQ(t.size(), 4360u);
  EXPECT_EQ(t.substr(0, 8), absl::string_view("KSNT\x01\0\0\0", 8));
  EXPECT_EQ(t[8 + 'a'], 1);
  EXPECT_EQ(t[264 + 16 * 'a'], 'a');
  EXPECT_EQ(t[8 + 'b'], 1);
  // "ab" takes the lowest code no name byte uses.
  EXPECT_EQ(t[8 + 0], 2);
  EXPECT_EQ(t.substr(264, 16),
            absl::string_view("ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
  EXPECT_EQ(t[8 + 1], 0);
  EXPECT_EQ(codec.merged_codes(), 1);
  EXPECT_EQ(Encode(codec, "abab"), absl::string_view("\0\0", 2));
}

TEST(NameCodecTest, RareBytesKeepLiteralCodes) {
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::vector<std::string> storage = {
      "plain_name",  std::string("with\0nul", 8),
      "tab\there",   "\xff\xfe\x80",
      "caf\xc3\xa9", "\x01"};
  std::vector<absl::string_view> names(storage.begin(), storage.end());
  NameCodec codec = NameCodec::Learn(names);
  for (absl::string_view name : names) {
    EXPECT_EQ(codec.DecodeToString(Encode(codec, name)), name);
  }
  // All 256 byte values: every code is a literal, nothing left to merge.
  storage.push_back(all + std::string(1, '\0'));
  names.assign(storage.begin(), storage.end());
  NameCodec full = NameCodec::Learn(names);
  EXPECT_EQ(full.merged_codes(), 0);
  std::string expected;
  for (absl::string_view name : names) {
    std::string enc = Encode(full, name);
    EXPECT_EQ(enc, name);
    EXPECT_EQ(full.DecodeToString(enc), name);
    expected += enc;
  }
  std::string encoded;
  std::vector<uint32_t> ends;
  ASSERT_TRUE(full.EncodeAll(names, &encoded, &ends).ok());
  EXPECT_EQ(encoded, expected);
}

TEST(NameCodecTest, ByteNotLearnedIsAnError) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::string out = "kept";
  absl::Status st = codec.Encode("ext4_\x07super", &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "name \"ext4_\\x07super\" has byte 0x07 at offset 5 that the name "
            "table has no code for (expected only bytes that occurred in the "
            "names the table was learned from)");
  EXPECT_EQ(out, "kept");
  st = codec.Encode("ext4_fill_super!", &out);
  EXPECT_EQ(st.message(),
            "name \"ext4_fill_super!\" has byte 0x21 at offset 15 that the "
            "name table has no code for (expected only bytes that occurred "
            "in the names the table was learned from)");
  EXPECT_EQ(out, "kept");
}

TEST(NameCodecTest, NoNames) {
  NameCodec codec = NameCodec::Learn({});
  EXPECT_EQ(codec.merged_codes(), 0);
  EXPECT_EQ(Encode(codec, ""), "");
  std::string out;
  EXPECT_EQ(codec.Encode("a", &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(NameCodecTest, EmptyName) {
  NameCodec codec = NameCodec::Learn({"", "a_b", ""});
  std::string enc = Encode(codec, "");
  EXPECT_EQ(enc, "");
  char buf[4] = {'x', 'x', 'x', 'x'};
  EXPECT_EQ(codec.Decode(enc, buf, sizeof(buf)), 0u);
  EXPECT_EQ(codec.Decode(enc, nullptr, 0), 0u);
  EXPECT_TRUE(codec.Equals("", ""));
  EXPECT_FALSE(codec.Equals("", "a"));
  EXPECT_FALSE(codec.Equals(Encode(codec, "a"), ""));
}

TEST(NameCodecTest, LongName) {
  std::string name;
  while (name.size() < 512) name += "__x64_sys_getpid_";
  name.resize(512);
  std::vector<absl::string_view> names = EmbeddedNames();
  names.push_back(name);
  NameCodec codec = NameCodec::Learn(names);
  std::string enc = Encode(codec, name);
  EXPECT_LT(enc.size(), 256u);
  std::vector<char> buf(600, '#');
  EXPECT_EQ(codec.Decode(enc, buf.data(), 512), 512u);
  EXPECT_EQ(absl::string_view(buf.data(), 512), name);
  EXPECT_EQ(buf[512], '#');
  EXPECT_TRUE(codec.Equals(enc, name));
  EXPECT_FALSE(codec.Equals(enc, name.substr(0, 511)));
}

TEST(NameCodecTest, DecodeHonoursCap) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  const std::string name = "__pfx___x64_sys_getppid_and_some_more.constprop.0";
  std::string enc = Encode(codec, name);
  for (size_t cap = 0; cap <= name.size() + 20; ++cap) {
    std::vector<char> buf(cap + 32, '#');
    size_t n = codec.Decode(enc, buf.data(), cap);
    ASSERT_EQ(n, name.size()) << cap;
    size_t written = std::min(cap, name.size());
    ASSERT_EQ(absl::string_view(buf.data(), written), name.substr(0, written))
        << cap;
    for (size_t i = cap; i < buf.size(); ++i) {
      ASSERT_EQ(buf[i], '#') << "cap " << cap << " wrote byte " << i;
    }
  }
  EXPECT_EQ(codec.decoder().DecodedSize(enc), name.size());
}

TEST(NameCodecTest, DecodesAnyBytesWithinBounds) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  const NameDecoder& dec = codec.decoder();
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string expected;
  for (int c = 0; c < 256; ++c) {
    expected.append(std::string(dec.Expansion(static_cast<uint8_t>(c))));
  }
  std::vector<char> buf(expected.size() + 16, '#');
  ASSERT_EQ(dec.Decode(all, buf.data(), expected.size()), expected.size());
  EXPECT_EQ(absl::string_view(buf.data(), expected.size()), expected);
  EXPECT_EQ(buf[expected.size()], '#');
  EXPECT_TRUE(dec.Equals(all, expected));
  // Unused codes decode to nothing.
  NameCodec small = NameCodec::Learn({"abab"});
  int unused = 0;
  for (int c = 0; c < 256; ++c) {
    if (small.decoder().Expansion(static_cast<uint8_t>(c)).empty()) {
      ++unused;
      std::string one = "a" + std::string(1, static_cast<char>(c)) + "b";
      EXPECT_EQ(small.decoder().Decode(one, buf.data(), buf.size()), 2u);
      EXPECT_EQ(absl::string_view(buf.data(), 2), "ab");
      EXPECT_TRUE(small.Equals(one, "ab"));
    }
  }
  EXPECT_EQ(unused, 256 - 2 - 1);
}

TEST(NameCodecTest, EqualsComparesWholeNames) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::string enc = Encode(codec, "ext4_fill_super");
  EXPECT_TRUE(codec.Equals(enc, "ext4_fill_super"));
  EXPECT_FALSE(codec.Equals(enc, "ext4_fill_supe"));     // plain is a prefix
  EXPECT_FALSE(codec.Equals(enc, "ext4_fill_super_x"));  // encoded is one
  EXPECT_FALSE(codec.Equals(enc, "ext4_fill_supeR"));
  EXPECT_FALSE(codec.Equals(enc, "Ext4_fill_super"));
  EXPECT_FALSE(codec.Equals(enc, ""));
  EXPECT_FALSE(codec.Equals(enc.substr(0, enc.size() - 1), "ext4_fill_super"));
  std::string longer = Encode(codec, "ext4_fill_super.constprop.0");
  EXPECT_FALSE(codec.Equals(longer, "ext4_fill_super"));
  EXPECT_TRUE(codec.Equals(longer, "ext4_fill_super.constprop.0"));
}

TEST(NameCodecTest, DecoderOpensSerializedTable) {
  NameCodec codec = NameCodec::Learn(EmbeddedNames());
  std::string table = codec.Serialize();
  absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);
  ASSERT_TRUE(dec.ok()) << dec.status();
  for (absl::string_view name : EmbeddedNames()) {
    std::string enc = Encode(codec, name);
    char buf[128];
    size_t n = dec->Decode(enc, buf, sizeof(buf));
    EXPECT_EQ(absl::string_view(buf, n), name);
    EXPECT_TRUE(dec->Equals(enc, name));
  }
}

TEST(NameCodecTest, CopiesAndMovesKeepTheirOwnTable) {
  NameCodec a = NameCodec::Learn(EmbeddedNames());
  std::string enc = Encode(a, "_raw_spin_lock_irqsave");
  NameCodec b = a;
  NameCodec c = std::move(a);
  a = NameCodec::Learn({"zzz"});  // reuse the moved-from object
  EXPECT_EQ(b.DecodeToString(enc), "_raw_spin_lock_irqsave");
  EXPECT_EQ(c.DecodeToString(enc), "_raw_spin_lock_irqsave");
  EXPECT_EQ(Encode(c, "_raw_spin_lock_irqsave"), enc);
  b = c;
  c = NameCodec::Learn({"zzz"});
  EXPECT_EQ(Encode(b, "_raw_spin_lock_irqsave"), enc);
  EXPECT_EQ(Encode(c, "zzz"), Encode(a, "zzz"));
}

TEST(NameCodecTest, SmallSampleStillEncodesEveryName) {
  std::vector<absl::string_view> names = EmbeddedNames();
  names.push_back("only_here_Q");  // 'Q' occurs in no other name
  NameCodec codec = NameCodec::Learn(names, /*sample_bytes=*/64);
  for (absl::string_view name : names) {
    EXPECT_EQ(codec.DecodeToString(Encode(codec, name)), name);
  }
}

// --- corrupt tables ---------------------------------------------------------

void ExpectRejected(const std::string& table, absl::StatusCode code,
                    absl::string_view message) {
  absl::StatusOr<NameCodec> codec = NameCodec::FromSerialized(table);
  EXPECT_EQ(codec.status().code(), code);
  EXPECT_EQ(codec.status().message(), message);
  absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);
  EXPECT_EQ(dec.status().code(), code);
  EXPECT_EQ(dec.status().message(), message);
}

TEST(NameCodecTest, RejectsTruncatedTable) {
  std::string table = NameCodec::Learn(EmbeddedNames()).Serialize();
  ExpectRejected(table.substr(0, 4359), absl::StatusCode::kDataLoss,
                 "name table: 4359 bytes (expected 4360)");
  ExpectRejected("", absl::StatusCode::kDataLoss,
                 "name table: 0 bytes (expected 4360)");
  ExpectRejected(table + "x", absl::StatusCode::kDataLoss,
                 "name table: 4361 bytes (expected 4360)");
}

TEST(NameCodecTest, RejectsBadMagicAndVersion) {
  std::string table = MakeTable("ab", {});
  table[0] = 'X';
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: bad magic \"XSNT\" (expected \"KSNT\")");
  table = MakeTable("ab", {});
  table[4] = 2;
  ExpectRejected(table, absl::StatusCode::kFailedPrecondition,
                 "name table: version 2 (expected 1)");
}

TEST(NameCodecTest, RejectsCorruptCodes) {
  std::string table = MakeTable("ab", {{0x80, "ab"}});
  table[8 + 0x80] = 17;
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 has length 17 (expected at most 16)");

  table = MakeTable("ab", {{0x80, "ab"}});
  table[264 + 16 * 0x80 + 15] = 'z';
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 has a non-zero byte after its 2-byte "
                 "expansion (expected zero padding)");

  table = MakeTable("ab", {});
  table[264 + 16 * 0x10] = 'z';  // unused code with a stray byte
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x10 has a non-zero byte after its 0-byte "
                 "expansion (expected zero padding)");

  table = MakeTable("ab", {{0x80, "b"}});
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 expands to the single byte 0x62 "
                 "(expected a 1-byte expansion to be the code itself)");

  table = MakeTable("ab", {{0x80, "abc"}});
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: code 0x80 expands to \"abc\" whose byte 0x63 "
                 "has no literal code (expected every byte of an expansion "
                 "to be a 1-byte code)");

  table = MakeTable("ab", {{0x90, "ab"}, {0x80, "ba"}, {0x81, "ab"}});
  ExpectRejected(table, absl::StatusCode::kDataLoss,
                 "name table: codes 0x81 and 0x90 both expand to \"ab\" "
                 "(expected distinct expansions)");
}

TEST(NameCodecTest, AcceptsHandMadeTable) {
  absl::StatusOr<NameCodec> codec =
      NameCodec::FromSerialized(MakeTable("ab_", {{0x80, "ab_"}}));
  ASSERT_TRUE(codec.ok()) << codec.status();
  EXPECT_EQ(codec->merged_codes(), 1);
  EXPECT_EQ(Encode(*codec, "ab_ab_a"), "\x80\x80\x61");
}

}  // namespace
}  // namespace ksym
