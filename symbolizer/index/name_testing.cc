#include "symbolizer/index/name_testing.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace ksym {
namespace nametest {
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

}  // namespace

std::vector<absl::string_view> EmbeddedNames() {
  return std::vector<absl::string_view>(std::begin(kNames), std::end(kNames));
}

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

}  // namespace nametest
}  // namespace ksym
