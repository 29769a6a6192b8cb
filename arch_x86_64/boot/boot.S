// The kernel's first instructions: the Multiboot2 header (GRUB) and a Multiboot1 header with the address fields
// (QEMU's -kernel loader accepts only Multiboot1 and refuses 64-bit ELF files unless told where to load them),
// a 32-bit entry that builds the kernel's page tables (identity map of the first 4 GiB in 2 MiB pages, without
// the global bit so that no kernel page survives a CR3 switch into a grove's tables), enables PAE, NX, long mode,
// CR0.WP and SSE, loads the final GDT (it lives in the trampoline) and calls kernel_main(magic, info).
#include <arch_x86_64/boot/boot_constants.hpp>

.intel_syntax noprefix

.set MB2_MAGIC, 0xe85250d6
.set MB2_ARCH_I386, 0
.set MB1_MAGIC, 0x1badb002
.set MB1_FLAGS, (1 << 1) | (1 << 16)   // memory map, address fields

.section .multiboot, "a"
.balign 8
multiboot2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long multiboot2_header_end - multiboot2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (multiboot2_header_end - multiboot2_header))
    // end tag
    .short 0
    .short 0
    .long 8
multiboot2_header_end:

.balign 4
multiboot1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long multiboot1_header      // header_addr
    .long kernel_image_start     // load_addr
    .long kernel_load_end        // load_end_addr
    .long kernel_image_end       // bss_end_addr
    .long boot_entry32           // entry_addr

.section .boot.text, "ax"
.code32
.global boot_entry32
boot_entry32:
    cli
    cld
    mov esp, offset boot_stack_top
    mov edi, eax                 // multiboot magic, first argument of kernel_main
    mov esi, ebx                 // multiboot information (physical), second argument

    // PML4[0] -> PDPT; PDPT[0..3] -> the four page directories; each PD entry a 2 MiB page.
    mov eax, offset kernel_pdpt
    or eax, PTE_PRESENT | PTE_WRITABLE
    mov [kernel_pml4], eax
    mov ecx, 0
1:  mov eax, ecx
    shl eax, 12
    add eax, offset kernel_page_directories
    or eax, PTE_PRESENT | PTE_WRITABLE
    mov [kernel_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jne 1b
    mov ecx, 0
2:  mov eax, ecx
    shl eax, 21
    or eax, PTE_PRESENT | PTE_WRITABLE | PTE_LARGE
    mov [kernel_page_directories + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                  // bits 32+ of the physical address (2 MiB * ecx >> 32)
    mov [kernel_page_directories + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne 2b

    mov eax, cr4
    or eax, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT
    mov cr4, eax
    mov eax, offset kernel_pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME | EFER_NXE
    wrmsr
    mov eax, cr0
    and eax, ~CR0_EM
    or eax, CR0_PG | CR0_WP | CR0_MP | CR0_PE
    mov cr0, eax

    lgdt [gdt_pointer]
    ljmp KERNEL_CODE_SELECTOR, offset boot_entry64

.code64
boot_entry64:
    mov ax, KERNEL_DATA_SELECTOR
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, offset kernel_stack_top
    xor ebp, ebp
    mov edi, edi                 // zero-extend both arguments
    mov esi, esi
    call kernel_main
3:  cli
    hlt
    jmp 3b

.section .bss
.balign 4096
.global kernel_pml4
kernel_pml4:
    .skip 4096
kernel_pdpt:
    .skip 4096
kernel_page_directories:
    .skip 4 * 4096
boot_stack:
    .skip 4096
boot_stack_top:
.balign 16
kernel_stack:
    .skip KERNEL_STACK_SIZE
.global kernel_stack_top
kernel_stack_top:

.section .note.GNU-stack, "", @progbits
