// The self-test's ring-1 program: position-independent code that the kernel copies to the start of a grove's
// window and starts at one of the case_* entries (each case runs in a fresh address space). On entry rdi holds a
// kernel address (mapped in the kernel's tables only) and rsi the case's argument. The selftest_fault_* labels
// mark the instruction each case must trap on; the kernel compares the trap's pc with them.
#include <arch_x86_64/boot/boot_constants.hpp>

.intel_syntax noprefix

.set SYS_EXIT, 0
.set SYS_CLOCK, 3
.set SYS_CONSOLE_WRITE, 4

.section .rodata.selftest_program, "a"
.balign 4096
.global selftest_program_start
selftest_program_start:

// Syscalls: console output, a refused pointer into the kernel, the clock twice (it must advance), registers
// that the ABI preserves; exit 0 when every check holds, else exit with the number of the failed check.
.global selftest_case_syscalls
selftest_case_syscalls:
    mov r12, rdi
    mov r15, 0x1122334455667788
    mov eax, SYS_CONSOLE_WRITE
    lea rdi, [rip + hello]
    mov esi, hello_end - hello
    int 0x80
    mov edi, 1
    cmp rax, hello_end - hello
    jne fail
    mov edi, 2
    mov rcx, 0x1122334455667788
    cmp r15, rcx
    jne fail
    mov eax, SYS_CONSOLE_WRITE
    mov rdi, r12
    mov esi, 16
    int 0x80
    mov edi, 3
    test rax, rax
    jns fail
    mov eax, SYS_CLOCK
    int 0x80
    mov rbx, rax
    mov eax, SYS_CLOCK
    int 0x80
    mov edi, 4
    cmp rax, rbx
    jbe fail
    mov eax, SYS_EXIT
    xor edi, edi
    int 0x80
    ud2
fail:
    mov eax, SYS_EXIT
    int 0x80
    ud2

.global selftest_case_cli
selftest_case_cli:
.global selftest_fault_cli
selftest_fault_cli:
    cli
    ud2

.global selftest_case_hlt
selftest_case_hlt:
.global selftest_fault_hlt
selftest_fault_hlt:
    hlt
    ud2

.global selftest_case_mov_cr3
selftest_case_mov_cr3:
    xor eax, eax
.global selftest_fault_mov_cr3
selftest_fault_mov_cr3:
    mov cr3, rax
    ud2

.global selftest_case_wrmsr
selftest_case_wrmsr:
    mov ecx, MSR_EFER
    xor eax, eax
    xor edx, edx
.global selftest_fault_wrmsr
selftest_fault_wrmsr:
    wrmsr
    ud2

// An exception vector's gate has DPL 0: a grove cannot fake a page fault with int 14.
.global selftest_case_int_exception
selftest_case_int_exception:
.global selftest_fault_int_exception
selftest_fault_int_exception:
    int 14
    ud2

// Port 0x80 is in this grove's bitmap (except in case io_port_not_granted); COM1 is not.
.global selftest_case_io_port
selftest_case_io_port:
    mov al, 0x42
.global selftest_fault_io_port_not_granted
selftest_fault_io_port_not_granted:
    out 0x80, al
    mov dx, 0x3f8
.global selftest_fault_io_port
selftest_fault_io_port:
    out dx, al
    ud2

.global selftest_case_write_kernel
selftest_case_write_kernel:
.global selftest_fault_write_kernel
selftest_fault_write_kernel:
    mov qword ptr [rdi], 0
    ud2

// rsi: the GDT, mapped read-only in the trampoline.
.global selftest_case_write_trampoline
selftest_case_write_trampoline:
.global selftest_fault_write_trampoline
selftest_fault_write_trampoline:
    mov qword ptr [rsi], 0
    ud2

// The code page is read and execute only.
.global selftest_case_write_code
selftest_case_write_code:
    lea rax, [rip + selftest_program_start]
.global selftest_fault_write_code
selftest_fault_write_code:
    mov byte ptr [rax], 0xcc
    ud2

// rsi: a writable, non-executable data page holding `ret`.
.global selftest_case_execute_data
selftest_case_execute_data:
    call rsi
    ud2

.global selftest_case_invalid_opcode
selftest_case_invalid_opcode:
.global selftest_fault_invalid_opcode
selftest_fault_invalid_opcode:
    ud2

.global selftest_case_divide
selftest_case_divide:
    mov eax, 1
    xor edx, edx
    xor ecx, ecx
.global selftest_fault_divide
selftest_fault_divide:
    div ecx
    ud2

.global selftest_case_breakpoint
selftest_case_breakpoint:
.global selftest_fault_breakpoint
selftest_fault_breakpoint:
    int3
    ud2

// Spins with SSE in use until the preemption timer stops it.
.global selftest_case_timer
selftest_case_timer:
    pxor xmm0, xmm0
1:  paddq xmm0, xmm0
    jmp 1b

hello:
    .ascii "hello from ring 1\n"
hello_end:

.global selftest_program_end
selftest_program_end:

.section .note.GNU-stack, "", @progbits
