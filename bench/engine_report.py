"""Tables and a cost model from bench/run-engine.sh's measurements.

Usage: engine_report.py OUT_FOLDER RESULT.json
Parallel efficiency at n ranks: E(n) = T(1) / (n T(n)) for the same job (the card's batch is global).
Cost model (stated assumptions, printed with the table): a training step costs T_c/N of compute plus
k collectives of latency α·log2(N) and its reduced bytes B at 2B(N-1)/N / β (ring allreduce); generation is
embarrassingly parallel apart from the survey gather and one collective per flush, plus writing the file
at the file system's aggregate bandwidth.
"""
import json
import math
import os
import sys

out, result_path = sys.argv[1], sys.argv[2]


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip().splitlines()
    return json.loads(text[-1])


def fastest(prefix, n, key):
    """The fastest of the repeated runs of one configuration (the machine is shared and noisy)."""
    runs = [load(f) for f in sorted(os.listdir(out)) if f.startswith(f"{prefix}-{n}-") and f.endswith(".json")]
    runs = [r for r in runs if r]
    return min(runs, key=lambda r: r[key]) if runs else load(f"{prefix}-{n}.json")


t1, t2 = fastest("train", 1, "training_loop_seconds"), fastest("train", 2, "training_loop_seconds")
g1, g2 = fastest("events", 1, "seconds"), fastest("events", 2, "seconds")
ar = load("allreduce-2.json")
writes = {(n, e): load(f"write-{n}-{e}.json") for n in (1, 2) for e in (100000, 1000000)}
r = {}
if t1 and t2:
    r["training"] = {
        "loop_seconds": [t1["training_loop_seconds"], t2["training_loop_seconds"]],
        "parallel_efficiency_2": t1["training_loop_seconds"] / (2 * t2["training_loop_seconds"]),
        "whole_run_efficiency_2": t1["seconds"] / (2 * t2["seconds"]),
        "collective_share_2": t2["collective_share"],
        "collective_calls_per_step": t2["collective_calls_per_step"],
        "allreduce_bytes_per_step": t2["allreduce_bytes_per_step"],
        "cross_sections": [[t1["cross_section_pb"], t1["error_pb"]], [t2["cross_section_pb"], t2["error_pb"]]],
        "efficiencies": [t1["efficiency"], t2["efficiency"]],
        "vegas_efficiencies": [t1["vegas_efficiency"], t2["vegas_efficiency"]],
    }
if g1 and g2:
    r["generation"] = {
        "seconds": [g1["seconds"], g2["seconds"]],
        "parallel_efficiency_2": g1["seconds"] / (2 * g2["seconds"]),
        "unweighted_events_per_cpu_second": [g1["events"] / g1["seconds"], g2["events"] / (2 * g2["seconds"])],
        "events": g1["events"], "efficiency": [g1["efficiency"], g2["efficiency"]],
        "cross_sections": [[g1["cross_section_pb"], g1["error_pb"]], [g2["cross_section_pb"], g2["error_pb"]]],
    }
r["io"] = {f"{n}_ranks_{e}_events": w for (n, e), w in writes.items() if w}
if ar:
    r["allreduce"] = ar

# Cost model.
assume = {"latency_s": 2e-6, "bandwidth_bytes_per_s": 10e9, "filesystem_bytes_per_s": 5e9,
          "note": "InfiniBand-class network (2 us per allreduce stage, 10 GB/s per link), 5 GB/s aggregate "
                  "parallel file system; compute per rank as measured here; W + 2 jets card"}
proj = {}
if "training" in r:
    steps = t1["steps"]
    tc = t1["training_loop_seconds"] / steps
    k = r["training"]["collective_calls_per_step"]
    # At N >= channels every channel is shared: its flow gradients join the reduction.
    per_flow = max(r["training"]["allreduce_bytes_per_step"], 1)
    for n in (64, 256, 1024):
        comm = k * assume["latency_s"] * math.log2(n) + 2 * per_flow * (n - 1) / n / assume["bandwidth_bytes_per_s"]
        strong = tc / (n * (tc / n + comm))          # fixed global batch
        weak = tc / (tc + comm)                        # batch_size grows with N (points per rank fixed)
        proj[f"training_{n}"] = {"strong_scaling_efficiency": strong, "weak_scaling_efficiency": weak,
                                 "seconds_per_step_weak": tc + comm}
if "generation" in r and r["io"]:
    tg = g1["seconds"]
    events = g1["events"]
    w = r["io"].get("1_ranks_1000000_events") or next(iter(r["io"].values()))
    bytes_per_event = w["lheh5_mb"] * 1e6 / w["events"]
    for n in (64, 256, 1024):
        rounds = max(1, events // 10000)
        comm = rounds * 4 * assume["latency_s"] * math.log2(n)
        io = events * bytes_per_event / assume["filesystem_bytes_per_s"]
        proj[f"generation_{n}"] = {"efficiency": (tg / n) / (tg / n + comm + io),
                                   "note": f"{events} events per job; weak scaling ({events} events per rank) keeps it ≥ the 2-rank figure"}
r["projection"] = proj
r["assumptions"] = assume
with open(result_path, "w") as f:
    json.dump(r, f, indent=1)

print("| what | 1 rank | 2 ranks | parallel efficiency |")
print("|---|---|---|---|")
if "training" in r:
    t = r["training"]
    print(f"| training loop, s | {t['loop_seconds'][0]:.1f} | {t['loop_seconds'][1]:.1f} | {100 * t['parallel_efficiency_2']:.0f} % |")
    print(f"| time in collectives (2 ranks) | – | {100 * t['collective_share_2']:.1f} % | {t['collective_calls_per_step']:.0f} calls, {t['allreduce_bytes_per_step'] / 1e3:.1f} kB per step |")
if "generation" in r:
    g = r["generation"]
    print(f"| generation of {g['events']} events, s | {g['seconds'][0]:.1f} | {g['seconds'][1]:.1f} | {100 * g['parallel_efficiency_2']:.0f} % |")
    print(f"| unweighted events per CPU s | {g['unweighted_events_per_cpu_second'][0]:.0f} | {g['unweighted_events_per_cpu_second'][1]:.0f} | |")
for (n, e), w in sorted(writes.items()):
    if w:
        print(f"| LHEH5 write {e:,} events, {n} rank(s) | {w['lheh5_events_per_s']:.3g} ev/s | {w['lheh5_mb_per_s']:.0f} MB/s | LHE: {w['lhe_events_per_s']:.3g} ev/s ({w['lhe_seconds'] / w['lheh5_seconds']:.1f}× the LHEH5 time) |")
if ar:
    print(f"| allreduce, 2 ranks | latency {ar['allreduce_latency_s'] * 1e6:.1f} µs | {ar['allreduce_bandwidth_bytes_per_s'] / 1e9:.2f} GB/s | |")
for key, v in proj.items():
    print(f"| projected {key.replace('_', ' at ')} ranks | " + ", ".join(f"{k} {100 * x:.0f} %" if isinstance(x, float) and k.endswith("efficiency") else "" for k, x in v.items()).strip(", ") + " | | |")
