/* Linker map fixture: the entry point, compiled without -ffunction-sections
   like most kernel objects, so all its text shares one .text section. */
extern int ext4_fill_super_with_a_name_long_enough_to_wrap_the_map_line(int);
extern int ext4_readpage(int);
extern int schedule(int);
extern int tolower_thing(int);

int init_counter;

__attribute__((noinline)) static int init_once(int x) {
  return x * 3 + init_counter;
}

__attribute__((section(".init.text"), noinline)) int early_init(int x) {
  return x + 7;
}

/* Discarded by the linker script, as the kernel discards .exit.text. */
__attribute__((section(".exit.text"), used)) int exit_teardown(int x) {
  return x - 7;
}

int start_kernel(int x) {
  return init_once(x) + early_init(x) +
         ext4_fill_super_with_a_name_long_enough_to_wrap_the_map_line(x) +
         ext4_readpage(x) + schedule(x) + tolower_thing(x);
}
