/* Line-table test fixture: assembler code, which has line rows but no
   DW_TAG_subprogram, as the kernel's entry code. */
	.text
	.globl	lines_stub
	.type	lines_stub, @function
lines_stub:
	nop
	nop
	ret
	.size	lines_stub, . - lines_stub

	.section .note.GNU-stack,"",@progbits
