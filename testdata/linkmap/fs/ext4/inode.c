/* Linker map fixture: a second object in the same directory. */
__attribute__((noinline)) static int init_once(int a) { return a + 11; }

__attribute__((noinline)) int ext4_readpage(int a) { return init_once(a) * 2; }
