/* Assembler, like the kernel's entry code: a global and a local function
   and a local absolute symbol, which System.map leaves out (nm type a). */
	.set	entry_stack_words, 5

	.text
	.globl	entry_SYSCALL_64
	.type	entry_SYSCALL_64, @function
entry_SYSCALL_64:
	call	entry_common
	ret
	.size	entry_SYSCALL_64, .-entry_SYSCALL_64

	.type	entry_common, @function
entry_common:
	ret
	.size	entry_common, .-entry_common

	.section .note.GNU-stack,"",@progbits
