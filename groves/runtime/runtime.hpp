#pragma once
// Everything a grove program needs: include this one header. See groves/README.md.
#include <core/abi/status.hpp>
#include <core/abi/syscall.hpp>
#include <groves/runtime/arguments.hpp>
#include <groves/runtime/console.hpp>
#include <groves/runtime/format.hpp>
#include <groves/runtime/lookup.hpp>
#include <groves/runtime/message.hpp>
#include <groves/runtime/panic.hpp>
#include <groves/runtime/status.hpp>
#include <groves/runtime/stop.hpp>
#include <groves/runtime/string.hpp>
#include <groves/runtime/syscall.hpp>
#include <groves/runtime/thread.hpp>
