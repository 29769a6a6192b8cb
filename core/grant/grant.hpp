#pragma once
#include <core/base/enum_count.hpp>
#include <core/base/error.hpp>
#include <core/base/units.hpp>
#include <core/grove/ids.hpp>

namespace grove {

// Rights a grant gives its peer, as a bit set (the abi::GrantRead and abi::GrantWrite bits).
enum class GrantRights : u8 { None = 0, Read = 1, Write = 2, ReadWrite = 3 };
constexpr bool has(GrantRights set, GrantRights bit) { return (static_cast<u8>(set) & static_cast<u8>(bit)) != 0; }

constexpr char const* grant_rights_name(GrantRights r) {
    switch (r) {
    case GrantRights::None: return "none";
    case GrantRights::Read: return "r";
    case GrantRights::Write: return "w";
    case GrantRights::ReadWrite: return "rw";
    }
    return "unknown";
}

// Which way a copy goes, seen from the peer: From the granted memory into its own, or To the granted memory.
enum class GrantDirection : u8 { From = 0, To = 1 };

constexpr char const* grant_direction_name(GrantDirection d) { return d == GrantDirection::From ? "from" : "to"; }

// How a grant ended: its granter revoked it, or the granter's incarnation ended (every grant dies with it).
enum class GrantEnd : u8 { Revoked = 0, GranterEnded = 1 };

constexpr char const* grant_end_name(GrantEnd e) {
    switch (e) {
    case GrantEnd::Revoked: return "revoked";
    case GrantEnd::GranterEnded: return "granter_ended";
    }
    return "unknown";
}

// Why a copy through a grant was refused. Every GrantCopyFrom and GrantCopyTo either copies (grant_copied) or is
// refused with exactly one of these (grant_refused); the status the caller sees is error_of(reason).
enum class GrantRefusal : u8 {
    NoSuchGrant,   // the id names no grant: index out of range, or a generation that is not the slot's (forged)
    Revoked,       // the grant was revoked by its granter
    GranterGone,   // the grant died with its granter's incarnation
    WrongPeer,     // the caller is not the grove the grant names
    NoRights,      // a copy from a grant without Read, or to a grant without Write
    Empty,         // a copy of zero bytes
    OutOfBounds,   // offset + length beyond the grant (or overflowing)
    BadBuffer,     // the caller's own range is outside its window or not mapped with the access the copy needs
    GrantedMemory, // the granted range is no longer mapped in the granter with the access the copy needs
};

inline constexpr usize GrantRefusalCount = 9;

constexpr Error error_of(GrantRefusal reason) {
    switch (reason) {
    case GrantRefusal::NoSuchGrant:
    case GrantRefusal::Revoked: return Error::BadHandle;
    case GrantRefusal::GranterGone: return Error::PeerClosed;
    case GrantRefusal::WrongPeer:
    case GrantRefusal::NoRights: return Error::AccessDenied;
    case GrantRefusal::Empty:
    case GrantRefusal::OutOfBounds:
    case GrantRefusal::BadBuffer: return Error::InvalidArgument;
    case GrantRefusal::GrantedMemory: return Error::InvalidState;
    }
    return Error::InvalidArgument;
}

constexpr char const* grant_refusal_name(GrantRefusal reason) {
    switch (reason) {
    case GrantRefusal::NoSuchGrant: return "no_such_grant";
    case GrantRefusal::Revoked: return "revoked";
    case GrantRefusal::GranterGone: return "granter_gone";
    case GrantRefusal::WrongPeer: return "wrong_peer";
    case GrantRefusal::NoRights: return "no_rights";
    case GrantRefusal::Empty: return "empty";
    case GrantRefusal::OutOfBounds: return "out_of_bounds";
    case GrantRefusal::BadBuffer: return "bad_buffer";
    case GrantRefusal::GrantedMemory: return "granted_memory";
    }
    return "unknown";
}

static_assert(count_matches_names<GrantRefusal>(GrantRefusalCount, grant_refusal_name));

// One grant: `granter` (one incarnation, in registry slot `granter_slot`) lets the grove with serial `peer` copy
// from (Read) or to (Write) [base, base + length) of its memory, through the kernel.
struct Grant {
    GroveId granter;
    GroveSlot granter_slot = 0;
    u32 peer = 0;
    VirtAddr base{};
    Bytes length{};
    GrantRights rights = GrantRights::None;
};

} // namespace grove
