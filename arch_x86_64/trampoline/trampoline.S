// The trampoline: the only kernel memory that a grove's page tables map (DESIGN.md §5, KPTI-style). It holds the
// interrupt entry stubs and the return path to ring 1 (text, read-only and executable for ring 1), the GDT, IDT
// and TSS with its I/O-permission bitmap (data, read-only in grove tables, written by the kernel through its own
// identity map), and the per-CPU interrupt stacks (writable: the CPU pushes the interrupt frame there before the
// stub can switch CR3).
//
// Entry (any vector): the stub pushes a RegisterFrame on the trampoline stack. From ring 1 it loads the kernel's
// CR3, restores the kernel stack saved by trampoline_enter_ring1 and returns from that call. From ring 0 (a kernel
// bug) it calls metal_kernel_exception, which panics.
// The interrupt stack's page is mapped, in grove tables, to the entry page of the context that runs (MetalArch), so
// the frame lands in that context's own page and stays there: while a grove runs, the trampoline stack holds
// nothing but that thread's own frame.
#include <arch_x86_64/boot/boot_constants.hpp>

.intel_syntax noprefix

.section .trampoline.text, "ax"

// Pops a RegisterFrame from the stack and returns to the code it describes.
.macro RESTORE_FRAME_AND_RETURN
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16
    iretq
.endm

.macro VECTOR number, has_error_code
.balign 16
trampoline_vector_\number:
.if \has_error_code == 0
    push 0
.endif
    push \number
    jmp trampoline_common
.endm

VECTOR 0, 0
VECTOR 1, 0
VECTOR 2, 0
VECTOR 3, 0
VECTOR 4, 0
VECTOR 5, 0
VECTOR 6, 0
VECTOR 7, 0
VECTOR 8, 1
VECTOR 9, 0
VECTOR 10, 1
VECTOR 11, 1
VECTOR 12, 1
VECTOR 13, 1
VECTOR 14, 1
VECTOR 15, 0
VECTOR 16, 0
VECTOR 17, 1
VECTOR 18, 0
VECTOR 19, 0
VECTOR 20, 0
VECTOR 21, 1
VECTOR 22, 0
VECTOR 23, 0
VECTOR 24, 0
VECTOR 25, 0
VECTOR 26, 0
VECTOR 27, 0
VECTOR 28, 0
VECTOR 29, 1
VECTOR 30, 1
VECTOR 31, 0
// The 8259 PIC pair's lines 0-15 (platform/pic.hpp).
.irp n, 0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f
VECTOR \n, 0
.endr
VECTOR 0x30, 0
VECTOR 0x80, 0
VECTOR 0xff, 0

trampoline_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    test byte ptr [rsp + FRAME_CS_WORD * 8], 3
    jz 3f
    mov rax, [trampoline_kernel_cr3]
    mov cr3, rax
    mov rsp, [trampoline_kernel_rsp]
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
    // From ring 0: the timer or a spurious interrupt while the kernel idles (MetalArch::idle_until, the only
    // place where ring 0 enables interrupts) returns to it, and so does a PIC line's interrupt once
    // metal_idle_interrupt has masked and recorded it; anything else is a kernel bug.
3:  cmp qword ptr [rsp + 15 * 8], VECTOR_TIMER
    je 4f
    cmp qword ptr [rsp + 15 * 8], VECTOR_SPURIOUS
    je 4f
    mov rdi, [rsp + 15 * 8]
    sub rdi, VECTOR_PIC_BASE
    cmp rdi, 16
    jae 5f
    add rdi, VECTOR_PIC_BASE
    mov rbx, rsp                 // callee-saved; the frame restores it
    and rsp, -16
    call metal_idle_interrupt
    mov rsp, rbx
    jmp 4f
5:  mov rdi, rsp
    and rsp, -16
    call metal_kernel_exception
4:  RESTORE_FRAME_AND_RETURN

// void trampoline_enter_ring1(u64 cr3)
// Switches to the grove's page tables and returns to ring 1 with iretq, from trampoline_ring1_frame at the top of
// the interrupt stack (under the grove's tables: the frame in the entry page of the context that runs).
// "Returns" when the next interrupt or exception arrives from ring 1 (see trampoline_common), with the new frame
// in the same place. Interrupts must be disabled; the frame's CS and SS must be the ring-1 selectors.
.global trampoline_enter_ring1
trampoline_enter_ring1:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [trampoline_kernel_rsp], rsp
    lea rsp, [trampoline_ring1_frame]
    mov cr3, rdi
    RESTORE_FRAME_AND_RETURN

.section .trampoline.data, "aw"
.balign 16
.global gdt
gdt:
    .quad 0
    .quad 0x00af9b000000ffff     // ring-0 code, 64-bit (accessed bit preset: the GDT is read-only for groves)
    .quad 0x00cf93000000ffff     // ring-0 data
    .quad 0x00afbb000000ffff     // ring-1 code, 64-bit, DPL 1
    .quad 0x00cfb3000000ffff     // ring-1 data, DPL 1
.global gdt_tss_descriptor
gdt_tss_descriptor:
    .quad 0, 0                   // the TSS, filled in by Descriptors::install
gdt_end:
.balign 8
    .short 0
.global gdt_pointer
gdt_pointer:
    .short gdt_end - gdt - 1
    .quad gdt

.balign 8
.global trampoline_kernel_cr3
trampoline_kernel_cr3:
    .quad 0
trampoline_kernel_rsp:
    .quad 0

.balign 16
.global idt
idt:
    .skip 256 * 16

.balign 16
.global tss
tss:
    .long 0
    .quad trampoline_interrupt_stack_top    // rsp0
    .quad 0, 0                              // rsp1, rsp2
    .quad 0
    .quad trampoline_ist_stack_top          // ist1: NMI, double fault, machine check
    .quad 0, 0, 0, 0, 0, 0
    .quad 0
    .short 0
    .short TSS_SIZE                         // I/O-permission bitmap offset
.global tss_io_bitmap
tss_io_bitmap:
    .fill IO_BITMAP_SIZE, 1, 0xff
    .byte 0xff
.global tss_end
tss_end:

.section .trampoline.stack, "aw", @nobits
.balign 4096
    .skip 4096 - FRAME_WORDS * 8
// Where a trap from ring 1 leaves its frame (RSP0 is the stack's top). In grove tables this page is the running
// context's entry page; the kernel reaches the frame there, through its identity map.
.global trampoline_ring1_frame
trampoline_ring1_frame:
    .skip FRAME_WORDS * 8
.global trampoline_interrupt_stack_top
trampoline_interrupt_stack_top:
    .skip 4096
trampoline_ist_stack_top:

// The stub addresses by vector, read by Descriptors::install (kernel memory: groves never read it).
.section .rodata
.balign 8
.global trampoline_vector_table
trampoline_vector_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad \n, trampoline_vector_\n
.endr
.irp n, 0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f
    .quad \n, trampoline_vector_\n
.endr
    .quad 0x30, trampoline_vector_0x30
    .quad 0x80, trampoline_vector_0x80
    .quad 0xff, trampoline_vector_0xff
.global trampoline_vector_count
trampoline_vector_count:
    .quad 51

.section .note.GNU-stack, "", @progbits
