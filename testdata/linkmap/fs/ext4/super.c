/* Linker map fixture, built with -ffunction-sections -fdata-sections: a
   function whose section name is long enough to wrap the map line, a cold
   function (.text.unlikely.*) and an unused one that --gc-sections drops. */
const char ext4_name[] = "ext4";
int ext4_data = 5;

__attribute__((cold, noinline)) int ext4_error(int a) { return a * 2; }

__attribute__((noinline)) int
ext4_fill_super_with_a_name_long_enough_to_wrap_the_map_line(int a) {
  return a + ext4_data + ext4_name[a & 3] + (a > 100 ? ext4_error(a) : 0);
}

int ext4_unused_function_removed_by_gc(int a) { return a - 1; }
