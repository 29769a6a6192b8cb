# The two commands of the README, and a few conveniences. Everything goes through CMake presets; build/ is the
# debug host build with executables in build/bin/.
JOBS ?= $(shell nproc)

.PHONY: demo test build configure bootstrap clean

demo: build
	@tools/demo.sh

test: build fuzz-build
	ctest --preset host-debug -j $(JOBS)
	ctest --preset fuzz -j $(JOBS)

build: configure
	cmake --build --preset host-debug -j $(JOBS)

configure: bootstrap
	@test -f build/CMakeCache.txt || cmake --preset host-debug

bootstrap:
	@tools/bootstrap.sh

clean:
	rm -rf build build-sanitize build-release build-fuzz

# The same tests built with AddressSanitizer and UndefinedBehaviorSanitizer, in build-sanitize/ (the preset
# host-sanitize; no bare-metal kernel there, so no QEMU tests).
.PHONY: test-sanitize
test-sanitize: bootstrap
	@test -f build-sanitize/CMakeCache.txt || cmake --preset host-sanitize
	cmake --build --preset host-sanitize -j $(JOBS)
	ctest --preset host-sanitize -j $(JOBS)

# Habits: clang-tidy over the sources the debug build compiles (.clang-tidy, tools/tidy.sh), and clang-format over
# the tree (.clang-format, tools/format.sh; `make format-check` lists what it would change without writing).
.PHONY: tidy format format-check
tidy: configure
	@JOBS=$(JOBS) tools/tidy.sh build

format:
	@tools/format.sh

format-check:
	@tools/format.sh --check

# The bare-metal image: build/grove.iso (GRUB, Multiboot2, the kernel built by the same CMake tree, with the demo
# plan arch_x86_64/boot/demo.toml and its grove images), and a boot in QEMU with the serial console here (its trace
# records shown as JSON lines by `grove-metal expand`); exit status 0 when the kernel reports success.
# `make qemu SCENARIO=path.toml` boots that scenario's ISO instead through `grovesim run --target metal` and exits
# with the scenario's verdict: 0 when every expectation holds, 1 when one fails (or the guest does not finish), 2 on
# bad input. IMAGES=DIR adds a directory of grove images.
.PHONY: iso qemu
iso: configure
	cmake --build --preset host-debug --target iso

ifdef SCENARIO
qemu: build
	@build/bin/grovesim run --target metal $(if $(IMAGES),--images "$(IMAGES)") "$(SCENARIO)"
else
qemu: iso
	@cmake --build --preset host-debug --target grove-metal
	@GROVE_METAL=build/bin/grove-metal arch_x86_64/scripts/run-qemu.sh build/grove.iso
endif

# `make qemu-gdb SCENARIO=path.toml [GDB_PORT=1234]` boots that scenario as `make qemu` does, but QEMU starts halted
# with its gdb stub on 127.0.0.1:GDB_PORT and waits for gdb; grovesim names the gdb script it wrote (the kernel's and
# the groves' symbols, and the connection): `gdb -x build/metal/<scenario name>.gdb`.
.PHONY: qemu-gdb
GDB_PORT ?= 1234
qemu-gdb: build
	@test -n "$(SCENARIO)" || { echo "make qemu-gdb: give a scenario: make qemu-gdb SCENARIO=path.toml" >&2; exit 2; }
	@build/bin/grovesim run --target metal --gdb $(GDB_PORT) $(if $(IMAGES),--images "$(IMAGES)") "$(SCENARIO)"

# The grove SDK under SDK_PREFIX (default build/sdk): headers, the runtime library with its start code, the link
# settings and the CMake package GroveSdk (groves/README.md, "Your own programs"; examples/sdk-pong).
.PHONY: sdk
SDK_PREFIX ?= build/sdk
sdk: build
	cmake --install build --component sdk --prefix $(SDK_PREFIX)

# The benchmarks: a Release build in build-release/ (never the debug tree), every program in bench/ with
# repetitions, JSON in build/bench/, the table on the console and build/bench/summary.json. See bench/README.md.
.PHONY: bench
bench:
	@JOBS=$(JOBS) tools/bench/run.sh

# The libFuzzer harnesses (fuzz/README.md): a clang tree in build-fuzz/ beside the g++ one. `make fuzz` runs each
# harness for FUZZ_SECONDS (default 60) over its seed corpus; `make test` runs each for a few seconds (ctest -L fuzz).
.PHONY: fuzz fuzz-build
FUZZ_SECONDS ?= 60
fuzz-build: bootstrap
	@test -f build-fuzz/CMakeCache.txt || cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)

fuzz: fuzz-build
	@fuzz/run.sh --seconds $(FUZZ_SECONDS)
