#include "symbolizer/sources/bpf_programs.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

constexpr int kMaxPrograms = 65536;
constexpr uint32_t kMaxRecords = (1u << 20) / 16;  // 1 MiB of 16-byte rows

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

absl::Status BpfError(int err, absl::string_view what) {
  const std::string text =
      absl::StrCat("bpf(2) ", what, ": ", std::strerror(err));
  if (err == EPERM || err == EACCES) {
    return absl::PermissionDeniedError(
        absl::StrCat(text, " (reading BPF programs needs CAP_BPF or root)"));
  }
  return absl::UnknownError(text);
}

// Whether one of the program's JIT'ed functions holds `address`; fills the
// functions when so. Cheap: two small arrays.
absl::StatusOr<bool> HoldsAddress(int fd, const bpf_prog_info& counts,
                                  uint64_t address,
                                  std::vector<BpfFunction>* functions) {
  const uint32_t n = std::min(counts.nr_jited_ksyms, counts.nr_jited_func_lens);
  if (n == 0 || n > kMaxRecords) return false;
  std::vector<uint64_t> starts(n);
  std::vector<uint32_t> lengths(n);
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  info.nr_jited_ksyms = n;
  info.jited_ksyms = reinterpret_cast<uint64_t>(starts.data());
  info.nr_jited_func_lens = n;
  info.jited_func_lens = reinterpret_cast<uint64_t>(lengths.data());
  uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(fd, &info, &len); err != 0) {
    return BpfError(-err, "BPF_OBJ_GET_INFO_BY_FD");
  }
  bool hidden = true, holds = false;
  for (uint32_t i = 0; i < n; ++i) {
    if (starts[i] != 0) hidden = false;
    if (address >= starts[i] && address - starts[i] < lengths[i]) holds = true;
  }
  if (hidden) {
    return absl::PermissionDeniedError(
        "the kernel hides BPF JIT addresses from this process "
        "(kernel.kptr_restrict, or no CAP_SYSLOG)");
  }
  if (!holds) return false;
  functions->clear();
  for (uint32_t i = 0; i < n; ++i) {
    functions->push_back({starts[i], lengths[i], ""});
  }
  return true;
}

std::string BtfName(const btf* b, uint32_t offset) {
  const char* s = b != nullptr ? btf__name_by_offset(b, offset) : nullptr;
  return s != nullptr ? s : "";
}

// Function names and lines from the program's func_info, line_info and BTF.
absl::Status ReadSourceInfo(int fd, const bpf_prog_info& counts,
                            BpfProgram* program) {
  if (counts.btf_id == 0) return absl::OkStatus();  // built without BTF
  const uint32_t nf = counts.nr_func_info;
  const uint32_t nl = std::min(counts.nr_line_info, counts.nr_jited_line_info);
  if (nf > kMaxRecords || nl > kMaxRecords) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "BPF program ", counts.id, ": more than ", kMaxRecords,
        " func_info or line_info records"));
  }
  std::vector<bpf_func_info> funcs(nf);
  std::vector<bpf_line_info> lines(nl);
  std::vector<uint64_t> jited(nl);
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  info.nr_func_info = nf;
  info.func_info_rec_size = sizeof(bpf_func_info);
  info.func_info = reinterpret_cast<uint64_t>(funcs.data());
  info.nr_line_info = nl;
  info.line_info_rec_size = sizeof(bpf_line_info);
  info.line_info = reinterpret_cast<uint64_t>(lines.data());
  info.nr_jited_line_info = nl;
  info.jited_line_info_rec_size = sizeof(uint64_t);
  info.jited_line_info = reinterpret_cast<uint64_t>(jited.data());
  uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(fd, &info, &len); err != 0) {
    return BpfError(-err, "BPF_OBJ_GET_INFO_BY_FD");
  }
  std::unique_ptr<btf, void (*)(btf*)> b(
      btf__load_from_kernel_by_id(counts.btf_id), btf__free);
  if (b == nullptr) return BpfError(errno, "BPF_BTF_GET_FD_BY_ID");
  // func_info is in program order, as the JIT'ed functions are.
  for (size_t i = 0; i < funcs.size() && i < program->functions.size(); ++i) {
    const btf_type* t = btf__type_by_id(b.get(), funcs[i].type_id);
    if (t != nullptr) program->functions[i].name = BtfName(b.get(), t->name_off);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    program->lines.push_back({jited[i], BtfName(b.get(), lines[i].file_name_off),
                              BPF_LINE_INFO_LINE_NUM(lines[i].line_col),
                              BPF_LINE_INFO_LINE_COL(lines[i].line_col)});
  }
  return absl::OkStatus();
}

}  // namespace

BpfPlace LocateInBpfProgram(const BpfProgram& program, uint64_t address) {
  BpfPlace place;
  auto f = std::upper_bound(
      program.functions.begin(), program.functions.end(), address,
      [](uint64_t a, const BpfFunction& fn) { return a < fn.start; });
  if (f == program.functions.begin()) return place;
  --f;
  if (address - f->start >= f->length) return place;
  place.found = true;
  place.function = f->name;
  place.function_start = f->start;
  auto l = std::upper_bound(
      program.lines.begin(), program.lines.end(), address,
      [](uint64_t a, const BpfLine& line) { return a < line.address; });
  if (l != program.lines.begin() && (l - 1)->address >= f->start) {
    place.line = &*(l - 1);
  }
  return place;
}

absl::StatusOr<std::optional<BpfProgram>> FindLoadedBpfProgram(uint64_t address) {
  uint32_t id = 0;
  for (int n = 0; n < kMaxPrograms; ++n) {
    if (int err = bpf_prog_get_next_id(id, &id); err != 0) {
      if (-err == ENOENT) return std::nullopt;  // no more programs
      return BpfError(-err, "BPF_PROG_GET_NEXT_ID");
    }
    Fd fd{bpf_prog_get_fd_by_id(id)};
    if (fd.fd < 0) {
      if (-fd.fd == ENOENT) continue;  // unloaded since
      return BpfError(-fd.fd, "BPF_PROG_GET_FD_BY_ID");
    }
    bpf_prog_info counts;
    std::memset(&counts, 0, sizeof(counts));
    uint32_t len = sizeof(counts);
    if (int err = bpf_obj_get_info_by_fd(fd.fd, &counts, &len); err != 0) {
      return BpfError(-err, "BPF_OBJ_GET_INFO_BY_FD");
    }
    BpfProgram program;
    absl::StatusOr<bool> holds =
        HoldsAddress(fd.fd, counts, address, &program.functions);
    if (!holds.ok()) return holds.status();
    if (!*holds) continue;
    program.id = counts.id;
    program.name = std::string(counts.name, strnlen(counts.name, sizeof(counts.name)));
    if (absl::Status st = ReadSourceInfo(fd.fd, counts, &program); !st.ok()) {
      return st;
    }
    std::sort(program.functions.begin(), program.functions.end(),
              [](const BpfFunction& a, const BpfFunction& b) { return a.start < b.start; });
    std::stable_sort(program.lines.begin(), program.lines.end(),
                     [](const BpfLine& a, const BpfLine& b) { return a.address < b.address; });
    return program;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "more than ", kMaxPrograms, " BPF programs loaded: stopped looking"));
}

}  // namespace ksym
