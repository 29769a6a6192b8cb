// A self-contained freestanding program (its own _start, no runtime) that tests/groves/CMakeLists.txt links
// in ways a grove image must not be linked, to check that check_image.cmake rejects each of them.
asm(R"(
    .text
    .globl _start
_start:
    call main
    mov %eax, %edi
    xor %eax, %eax
    int $0x80
    ud2
)");

extern "C" int main() { return 0; }
