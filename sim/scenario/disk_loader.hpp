#pragma once
#include <sim/scenario/scenario.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace grove::scenario {

// A grove loaded from disk: `image = "world-tree:/groves/echo"` names the object /groves/echo of the World-Tree
// store that the grove named WorldTreeGrove serves (groves/programs/worldtree_protocol.hpp).
inline constexpr std::string_view WorldTreeImagePrefix = "world-tree:";
inline constexpr char const* WorldTreeGrove = "world-tree";
inline constexpr char const* LoaderImage = "loader";
inline constexpr std::string_view LoaderSuffix = "-loader";

// The object path of a "world-tree:PATH" image, or nothing for an image by name. PATH is not checked.
std::optional<std::string_view> world_tree_object(std::string_view image);

// A valid object path for a world-tree image: '/' then 1 or more printable bytes, no space, at most
// MaxArgumentLength bytes in all (it travels as the loader's argument).
bool is_valid_world_tree_object(std::string_view path);

// Puts a loader grove (groves/programs/loader.cpp, image "loader") in place of every grove whose image is a
// world-tree object, at the same index, named <grove>-loader: it holds the grove's capabilities and limits (at least
// one grant), service_manage for the grove and itself, ipc_send to world-tree and filesystem, starts when the grove
// would and carries the grove's spec in its arguments; world-tree's ipc_receive names it (unless "*"). The loader
// reads the object and spawns it through ServiceLoad under the grove's own name, so expectations about the grove
// hold as written. What a ServiceSpec cannot carry is refused: a watchdog, provides, more than four peers or
// arguments, an argument with a space, a grove without a world-tree grove to read from; and a fault, final_state or
// count naming the grove (its loader stands in its place). Both the simulator
// (realize_faults) and the plan compiler go through it; a scenario without such groves is unchanged. Returns the
// reason it cannot, naming the grove, or "" (then `s` holds the loaders).
std::string put_disk_loaders(Scenario& s);

} // namespace grove::scenario
