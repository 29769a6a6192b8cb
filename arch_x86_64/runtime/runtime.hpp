#pragma once

namespace grove::metal {

// Runs the constructors in .init_array, in link order. Called once, first thing in kernel_main.
void run_static_constructors();

} // namespace grove::metal
