// A BPF program with a subprogram, compiled with clang -target bpf -g so
// that its BTF carries func_info and line_info: the kernel then reports
// each JIT'ed function's name and each line's JIT address. Loaded by
// symbolizer/api/live_bpf_test.cc; the LINE: comments mark the lines the
// test expects.
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

static __attribute__((noinline)) int ksym_scale(int x) {  // LINE:scale_entry
  int y = x * 3;                                           // LINE:scale_body
  return y + 1;                                            // LINE:scale_return
}

SEC("socket") int ksym_lines_prog(struct __sk_buff *skb) {
  int v = ksym_scale(skb->len);  // LINE:prog_call
  return v & 1;                  // LINE:prog_return
}

char _license[] SEC("license") = "GPL";
