/* Linker map fixture for a 32-bit (elf_i386) link. */
int i386_counter;

__attribute__((noinline)) int i386_function_with_a_long_section_name(int a) {
  return a + i386_counter;
}

int i386_start(int a) { return i386_function_with_a_long_section_name(a); }
