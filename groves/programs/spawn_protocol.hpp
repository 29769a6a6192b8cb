#pragma once
// The protocol of the image depot (depot), shared with spawner. The depot holds a copy of a grove image (echo's,
// stripped, embedded in its own) and hands it out through read grants, for ServiceLoad (core/abi/syscall.hpp):
//
//   Call TagImage    the reply's Offer: a read grant of the whole image to the caller, and its length.
//   Call TagShort    an Offer whose grant covers only the first ShortLength bytes of the image (length: the image's).
//   Call TagGarbage  an Offer of GarbageLength bytes that are no ELF file.
//   Call TagRevoked  an Offer of the whole image whose grant the depot revoked before replying.
// A failed GrantCreate or GrantRevoke is the Offer's negative status.
#include <groves/runtime/runtime.hpp>

namespace grove::spawn {

inline constexpr char const* DepotName = "depot";

inline constexpr u32 TagImage = 0x494d4147;   // "IMAG"
inline constexpr u32 TagShort = 0x53485254;   // "SHRT"
inline constexpr u32 TagGarbage = 0x47524247; // "GRBG"
inline constexpr u32 TagRevoked = 0x52564b44; // "RVKD"

inline constexpr u64 ShortLength = 1024;
inline constexpr u64 GarbageLength = 4096;

struct Offer {
    i64 grant; // or a negative status
    u64 length;
};

} // namespace grove::spawn
