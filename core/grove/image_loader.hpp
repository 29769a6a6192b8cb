#pragma once
#include <core/arch/arch.hpp>
#include <core/grove/grove_spec.hpp>
#include <core/grove/loaded_image.hpp>

namespace grove {

// Checks an image plan without touching anything: at least one segment; every segment non-empty, with no more
// file bytes than memory, not both writable and executable, its pages inside layout::in_window and clear of the
// stack, its guard page and the arguments page; no two segments sharing a page; the entry inside an executable
// segment. Returns the bytes the incarnation will map (image pages, stack, arguments page); InvalidArgument
// otherwise.
Result<Bytes> validate_image(ImagePlan const& plan);

// Checks a whole spec: a valid name, valid limits and restart budget, a valid image, and the image's memory within
// the memory limit (LimitExceeded otherwise). Returns the bytes the incarnation will map.
Result<Bytes> validate_spec(GroveSpec const& spec);

// Builds an incarnation's address space from a spec that validate_spec accepted: creates the space, maps every
// segment with its permissions, copies the file bytes (Arch::load), maps the main stack (with the unmapped guard
// page below it) and the read-only arguments page (argv[0] = the name, then the spec's arguments), and sets the
// I/O ports of the IoPort capability. LimitExceeded when the pages with the page tables they need exceed the
// memory limit. On any failure the space is destroyed, so the backend is left as it was, and the backend's error
// comes back.
Result<LoadedImage> load_image(Arch& arch, GroveSpec const& spec);

// Destroys the incarnation's address space and with it every page it mapped. Its threads must be gone.
void unload_image(Arch& arch, LoadedImage const& image);

} // namespace grove
