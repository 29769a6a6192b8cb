#pragma once
// The protocol of the runic-forge grove (runic_forge.cpp), the Runic Forge compiler (forge/) as a service, shared
// with its clients (forgeclient.cpp). A client Calls the grove named "runic-forge" with a message of tag TagCompile
// whose payload is a CompileRequest; the source moves by a copy grant (read) to runic-forge's grove id (the `sender`
// of its replies). The Reply (tag TagCompile) carries a CompileResponse:
//
//   status   0 when the request was served, else -(status) of core/abi/status.hpp: InvalidArgument for a source
//            length of 0 or above forge::MaxSourceBytes, an optimisation level other than 0 (the forge has one
//            code generator), a name of 0 or more than MaxNameLength bytes or not made of [a-z0-9_-], or another
//            tag; the kernel's status of a refused grant copy (BadHandle, AccessDenied, PeerClosed...)
//   success  1: the source compiled, `grant` is the image (a static ELF the grove loader accepts: ServiceLoad
//            takes the grant as it is); 0: it did not, `grant` is the errors' text, one line per error,
//            "<name>:<line>:<column>: error: <what was expected>"
//   grant    a grant to the client with the Read right, of `length` bytes; it lives until runic-forge's next request
//            (from any client), which revokes it
#include <groves/runtime/runtime.hpp>

namespace grove::forge_protocol {

inline constexpr char const* ServiceName = "runic-forge";
inline constexpr u32 TagCompile = 0x46524745; // "FRGE"
inline constexpr u64 MaxNameLength = 15;

struct CompileRequest {
    u64 source_grant;
    u64 source_length;
    u32 optimisation;
    u8 name_length;
    char name[MaxNameLength];
};

struct CompileResponse {
    i64 status;
    u32 success;
    u32 error_count;
    u64 grant;
    u64 length;
};

static_assert(sizeof(CompileRequest) <= abi::MessagePayloadSize);
static_assert(sizeof(CompileResponse) <= abi::MessagePayloadSize);

} // namespace grove::forge_protocol
