/* ELF/DWARF source test fixture: an assembler file, whose DWARF unit name
   is the absolute path gcc was given, as for the kernel's head_64.S. */
	.text
	.globl	asm_entry
	.type	asm_entry, @function
asm_entry:
	ret
	.size	asm_entry, . - asm_entry

	.type	asm_local, @function
asm_local:
	ret
	.size	asm_local, . - asm_local

/* Named like AArch64 mapping symbols, which nm hides on AArch64 only. */
"$x":
"$d.data":

	.section .note.GNU-stack,"",@progbits
