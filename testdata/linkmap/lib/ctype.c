/* Linker map fixture: a member of the ordinary (not thin) archive lib/lib.a,
   pulled in by reference like the kernel's KBUILD_VMLINUX_LIBS. */
const unsigned char _ctype[4] = {1, 2, 3, 4};

int tolower_thing(int c) { return _ctype[c & 3] + c; }
