# nisgen — the two commands of the README, and a few more.
#   make run     set up, build (release) and run the main job on the built-in default run card
#   make test    set up, build and run the whole test suite
#   make bench   release benchmarks (figures quoted in README.md)

SHELL := /bin/bash
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OPENBLAS_NUM_THREADS := 1
RANKS ?= 2

.PHONY: setup build run test bench clean

setup:
	@bash scripts/setup.sh

build: setup
	swift build -c release --product nisgen

CARD ?= cards/wplus_1j.toml

# The main job: platform check on $(RANKS) ranks, then VEGAS vs NIS on the default run card (W+1 jet).
run: build
	@mkdir -p out
	mpirun -np $(RANKS) --oversubscribe $$(swift build -c release --show-bin-path)/nisgen smoke --output out/smoke.h5
	$$(swift build -c release --show-bin-path)/nisgen integrate --card $(CARD)

test: setup
	swift build --build-tests
	swift test

# OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to SSE3 kernels; benchmarks pick the
# matching kernel family from the CPU flags unless OPENBLAS_CORETYPE is already set. Tests keep the default.
bench: export OPENBLAS_CORETYPE ?= $(shell grep -qw avx512f /proc/cpuinfo && echo SkylakeX || (grep -qw avx2 /proc/cpuinfo && echo Haswell))
bench: setup
	bash bench/run-foundation.sh
	swift run -c release NISBench all
	swift run -c release PhysicsBench all

clean:
	rm -rf .build out
