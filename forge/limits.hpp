#pragma once
#include <core/base/std.hpp>

// The fixed capacities of the Runic Forge compiler. Nothing is allocated: every table below is an array of a
// Compiler, and a program that needs more than one of them is refused with an error that names the limit.
namespace grove::forge {

inline constexpr usize MaxSourceBytes = 64 * 1024; // a longer source is refused before it is read
inline constexpr usize MaxNodes = 8192;            // syntax tree nodes (expressions and statements)
inline constexpr usize MaxNesting = 32;            // blocks and parentheses inside one another
inline constexpr usize MaxExpressionDepth = 200;   // operators inside one another (a + b + ... counts each +)
inline constexpr usize MaxDiagnostics = 32;        // errors kept; a 33rd ends the compilation
inline constexpr usize MaxMessageLength = 160;     // bytes of one error's text
inline constexpr usize MaxChants = 128;            // functions of a program
inline constexpr usize MaxParameters = 8;          // parameters of one chant
inline constexpr usize MaxBindings = 256;          // names in scope at once
inline constexpr usize MaxCallSites = 2048;        // calls of chants (resolved when every chant is placed)
inline constexpr usize MaxOpenKeys = 256;          // keys of the `match`es being generated, nested ones included
inline constexpr usize MaxCodeBytes = 48 * 1024;   // machine code
inline constexpr usize MaxTextBytes = 8 * 1024;    // read-only data: the texts a program prints
inline constexpr usize MaxTextLiteral = 255;       // bytes of one text literal
inline constexpr usize MaxImageBytes = 64 * 1024;  // the whole ELF file (abi::MaxServiceImage)

} // namespace grove::forge
