#pragma once
// Numbers shared by the assembly (boot, trampoline) and the C++ of the kernel. Macros, because the assembler
// reads this header too.

#define PTE_PRESENT 0x1
#define PTE_WRITABLE 0x2
#define PTE_LARGE 0x80

#define CR0_PE 0x1
#define CR0_MP 0x2
#define CR0_EM 0x4
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define CR4_UMIP 0x800
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define EFER_NXE 0x800

// GDT: null, ring-0 code and data, ring-1 code and data, the 64-bit TSS (two slots).
#define KERNEL_CODE_SELECTOR 0x08
#define KERNEL_DATA_SELECTOR 0x10
#define RING1_CODE_SELECTOR 0x19
#define RING1_DATA_SELECTOR 0x21
#define TSS_SELECTOR 0x28

#define KERNEL_STACK_SIZE 65536

// The register frame the trampoline builds on its stack (RegisterFrame in C++): 15 general registers, the
// vector, the error code and the five words the CPU pushes.
#define FRAME_WORDS 22
#define FRAME_CS_WORD 18

// Vectors outside the 32 exceptions.
#define VECTOR_PIC_BASE 0x20 // the 8259 PIC pair's lines 0-15: 0x20..0x2f (platform/pic.hpp)
#define VECTOR_TIMER 0x30
#define VECTOR_SYSCALL 0x80
#define VECTOR_SPURIOUS 0xff

// The I/O-permission bitmap follows the 104 bytes of the TSS; one terminating byte of ones after it.
#define TSS_SIZE 104
#define IO_BITMAP_SIZE 8192
