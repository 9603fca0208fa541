# nisgen — the two commands of the README, and a few more.
#   make run     set up, build (release) and run the main job on the built-in default run card
#   make test    set up, build and run the whole test suite (on a private local Slurm cluster, too)
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

CARD ?= cards/wplus_2j.toml

# The main job: train pp → e+ ve + 2 jets on $(RANKS) ranks, generate 10,000 events (LHEH5, LHE, JSON), plots,
# checks and a report (scripts/run-default.sh; CARD, RANKS, EVENTS, OUT may be set).
run: build
	CARD=$(CARD) RANKS=$(RANKS) bash scripts/run-default.sh

# The Slurm tests (Tests/SlurmTests) need a cluster: a private one (scripts/slurm-local.sh) is started
# before `swift test` and stopped afterwards, also when tests fail — unless one was already running.
test: setup
	swift build --build-tests
	@set -euo pipefail; \
	if bash scripts/slurm-local.sh status >/dev/null 2>&1; then started=0; else started=1; fi; \
	conf=$$(bash scripts/slurm-local.sh start); export "$$conf"; \
	if [ $$started = 1 ]; then trap 'bash scripts/slurm-local.sh stop' EXIT; fi; \
	echo "$$conf"; swift test

# OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to SSE3 kernels; benchmarks pick the
# matching kernel family from the CPU flags unless OPENBLAS_CORETYPE is already set. Tests keep the default.
bench: export OPENBLAS_CORETYPE ?= $(shell grep -qw avx512f /proc/cpuinfo && echo SkylakeX || (grep -qw avx2 /proc/cpuinfo && echo Haswell))
bench: setup
	bash bench/run-foundation.sh
	swift run -c release NISBench all
	swift run -c release PhysicsBench all

clean:
	rm -rf .build out
