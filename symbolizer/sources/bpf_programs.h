// Loaded BPF programs, as the kernel describes them to a privileged
// caller (bpf(2) BPF_OBJ_GET_INFO_BY_FD, through libbpf): their functions'
// JIT ranges and, from the program's BTF, each function's name and the
// source file:line:column of each JIT'ed line, as perf and blazesym read
// them.
//
//   absl::StatusOr<std::optional<BpfProgram>> p = FindLoadedBpfProgram(addr);
//   if (p.ok() && *p) {
//     BpfPlace place = LocateInBpfProgram(**p, addr);
//     // place.function == "ksym_scale", place.file == "/src/prog.c", ...
//   }
//
// Reading needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_SYSLOG-level access to
// JIT addresses; without them FindLoadedBpfProgram says PermissionDenied.
// Programs come and go: a program found is a snapshot of that moment.
#ifndef KSYM_SYMBOLIZER_SOURCES_BPF_PROGRAMS_H_
#define KSYM_SYMBOLIZER_SOURCES_BPF_PROGRAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ksym {

// One JIT'ed function of a program (the main program or a subprogram).
struct BpfFunction {
  uint64_t start = 0;
  uint32_t length = 0;  // bytes of JIT'ed code
  std::string name;     // from BTF func_info; "" without BTF
};

// The first JIT'ed instruction of one source line (BTF line_info).
struct BpfLine {
  uint64_t address = 0;
  std::string file;  // as the compiler was given it
  uint32_t line = 0;
  uint32_t column = 0;  // 0: not known
};

struct BpfProgram {
  uint32_t id = 0;
  std::string name;  // bpf_prog_info.name (at most 15 bytes)
  std::vector<BpfFunction> functions;  // sorted by start
  std::vector<BpfLine> lines;          // sorted by address
};

// What a program says of one address inside it.
struct BpfPlace {
  bool found = false;       // the address is inside one of its functions
  std::string function;     // that function's BTF name ("" without BTF)
  uint64_t function_start = 0;
  const BpfLine* line = nullptr;  // the line the address belongs to, or null
};

// Pure: the function and line of `address` in `program`. A line row covers
// from its address to the next row's (or its function's end); rows of
// another function never answer.
BpfPlace LocateInBpfProgram(const BpfProgram& program, uint64_t address);

// Walks the loaded programs (bpf(2) BPF_PROG_GET_NEXT_ID) for the one
// whose JIT'ed code holds `address`. nullopt when none does;
// PermissionDenied without the privileges above; other errors as bpf(2)
// gave them. Bounded: at most 65,536 programs looked at, and a program's
// arrays at most 1 MiB each.
absl::StatusOr<std::optional<BpfProgram>> FindLoadedBpfProgram(uint64_t address);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_BPF_PROGRAMS_H_
