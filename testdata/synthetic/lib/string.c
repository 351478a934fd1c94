#include "../synthetic.h"

/* Aliases at one address, static data with a name used elsewhere, and
   the export symbols System.map leaves out. */
static int __used nr_running = 3;

int __used __memcpy(void *d, const void *s, unsigned long n) {
  (void)d;
  (void)s;
  return (int)n + nr_running;
}

int memcpy(void *d, const void *s, unsigned long n) __alias(__memcpy);
int __weak memmove(void *d, const void *s, unsigned long n) __alias(__memcpy);

const char __used __kstrtab_memcpy[] = "memcpy";
const unsigned int __used __crc_memcpy = 0x12345678;

char __used string_buffer[64];
