#!/usr/bin/env bash
# `make run`: the main job on the built-in default card — train pp → e+ ve + 2 jets on RANKS local MPI ranks,
# generate EVENTS unweighted events into one LHEH5 file (plus LHE and a JSON summary), a weighted sample for
# comparison, the plots, a verification of every event, and a short report of where everything is.
# Knobs (environment): CARD (cards/wplus_2j.toml), RANKS (2), EVENTS (10000), OUT (out/run).
set -euo pipefail
cd "$(dirname "$0")/.."
CARD=${CARD:-cards/wplus_2j.toml}
RANKS=${RANKS:-2}
EVENTS=${EVENTS:-10000}
OUT=${OUT:-out/run}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
bin=$(swift build -c release --show-bin-path)/nisgen
[ -x "$bin" ] || { echo "run: $bin is missing; run 'make build' first" >&2; exit 1; }
mpi() { mpirun -np "$RANKS" --oversubscribe "$@"; }
if [ -e "$OUT" ]; then echo "run: replacing the previous output in $OUT"; rm -rf "$OUT"; fi
mkdir -p "$OUT"
start=$(date +%s)
echo "== training on $RANKS ranks ($CARD)"
mpi "$bin" train --card "$CARD" --output "$OUT/model.h5" --json "$OUT/train.json"
echo "== generating $EVENTS unweighted events on $RANKS ranks"
mpi "$bin" generate --card "$CARD" --model "$OUT/model.h5" --events "$EVENTS" --output "$OUT/events.h5" --lhe "$OUT/events.lhe" --seed 11
echo "== a weighted sample of $((2 * EVENTS)) events for the comparison plots"
mpi "$bin" generate --card "$CARD" --model "$OUT/model.h5" --events $((2 * EVENTS)) --output "$OUT/weighted.h5" --weighted --seed 12 --quiet
echo "== plots and checks"
"$bin" plot --model "$OUT/model.h5" --events "$OUT/events.h5" --weighted-events "$OUT/weighted.h5" --output "$OUT/plots"
"$bin" inspect "$OUT/events.h5" --verify
seconds=$(( $(date +%s) - start ))
python3 - "$OUT" "$seconds" <<'PY'
import json, sys
out, seconds = sys.argv[1], int(sys.argv[2])
t = json.load(open(f"{out}/train.json"))
g = json.load(open(f"{out}/events.json"))
def pm(v, e):
    from math import floor, log10
    d = max(0, 1 - floor(log10(e))) if e > 0 else 1
    return f"{v:.{d}f} ± {e:.{d}f}"
print(f"""
==================================================================================================
 nisgen make run: {t['process']} at 13 TeV on {t['ranks']} ranks, {seconds // 60} min {seconds % 60:02d} s in all
 σ (generation)  {pm(g['cross_section_pb'], g['error_pb'])} pb from {g['trials']:,} trials; training measured {pm(t['cross_section_pb'], t['error_pb'])} pb
 unweighting     NIS {100 * t['efficiency']:.2g} % against the VEGAS warm-up's {100 * t['vegas_efficiency']:.2g} % ({t['efficiency'] / t['vegas_efficiency']:.1f}×), same fresh-sample measurement
 events          {g['events']:,} unweighted, {g['overweight_events']} overweight carrying {100 * g['overweight_share']:.2g} % of σ
 files           {out}/model.h5      trained sampler (h5ls -r; nisgen inspect)
                 {out}/events.h5     LHEH5 v2.0.1 events (h5py, pylhe, Pythia 8, Sherpa readers)
                 {out}/events.lhe    the same events as LHE v3 (Pythia 8: Beams:frameType = 4)
                 {out}/events.json   run summary (σ per subprocess, trials, timing, hashes)
                 {out}/plots/index.html  training curves, weights, channels, kinematics
 look at it      nisgen inspect {out}/events.h5 --verify;  xdg-open {out}/plots/index.html
==================================================================================================""")
PY
