#!/usr/bin/env python3
"""The PyTorch `madnis` 1.0.0 reference for bench/NISBench/GaussianMixtureBench.swift.

Trains madnis' multi-channel Integrator on the same Gaussian mixtures as the Swift benchmark (same peaks,
widths, dimensions, truncated-Cauchy channel maps and prior channel weights, one channel per peak) and
measures it as nisgen does: per-channel unweighting efficiency mean|w| / w_max with w_max the median of 100
bootstrap maxima (replicas of the channel's full sample size), combined as nisgen's event generator keeps
events, 1 / sum_c(s_c / eps_c) with s_c the |I_c| shares (before session 11 both sides used the share-weighted
mean sum_c s_c * eps_c, which the tables of bench/RESULTS-foundation.md still hold); relative standard
deviation δI·√N / I; pull (I − exact) / δI; training CPU seconds (VEGAS pre-training included).

Run in a virtual environment outside the repository, for example
    python3 -m venv /work/madnis-venv
    /work/madnis-venv/bin/pip install madnis==1.0.0 vegas torch
    /work/madnis-venv/bin/python bench/madnis_reference.py --cases 2d,4d,8d --seeds 1
The flow is madnis' default (2 hidden layers × 32 units, 10 bins, 2⌈log₂ d⌉ blocks) unless --units etc.
are given. The channel-weight network is off (prior weights only), as in the Swift rows it is compared with.
"""
import argparse
import json
import math
import time

import numpy as np
import torch

from madnis.integrator import Integrand, Integrator, VegasPreTraining

CASES = {"2d": (2, 2, 0.03), "4d": (4, 3, 0.05), "8d": (8, 4, 0.1)}


def peak_centres(dimension, peaks):
    """Peak k at t = 0.25 + 0.5·k/(peaks−1) in even coordinates and 1 − t in odd ones (GaussianMixture.standard)."""
    rows = []
    for k in range(peaks):
        t = 0.5 if peaks == 1 else 0.25 + 0.5 * k / (peaks - 1)
        rows.append([t if d % 2 == 0 else 1 - t for d in range(dimension)])
    return torch.tensor(rows, dtype=torch.get_default_dtype())


def exact_integral(centres, width):
    s = math.sqrt(2) * width
    total = 0.0
    for row in centres.tolist():
        total += math.prod(0.5 * (math.erf((1 - mu) / s) + math.erf(mu / s)) for mu in row)
    return total


class GaussianMixtureToy:
    """f(x) = Σ_k N(x; μ_k, σ²) on [0,1]^d; channel k maps y ∈ [0,1]^d to x by a truncated Cauchy per
    coordinate (centre μ_k, width σ) and weights with α_k = g_k(x) / Σ_j g_j(x)."""

    def __init__(self, dimension, peaks, width):
        self.dimension, self.width = dimension, width
        self.centres = peak_centres(dimension, peaks)
        self.norm = 1.0 / (math.sqrt(2 * math.pi) * width) ** dimension
        self.atan_lower = torch.atan((0 - self.centres) / width)
        self.atan_span = torch.atan((1 - self.centres) / width) - self.atan_lower
        self.exact = exact_integral(self.centres, width)

    def __call__(self, y, channels):
        w = self.width
        lower, span, centre = self.atan_lower[channels], self.atan_span[channels], self.centres[channels]
        t = torch.tan(lower + y * span)
        x = (centre + w * t).clamp(0.0, 1.0)
        jacobian = (span * w * (1 + t * t)).prod(dim=1)
        r2 = (x[:, None, :] - self.centres[None, :, :]).square().sum(dim=2)
        f = self.norm * torch.exp(-0.5 * r2 / (w * w)).sum(dim=1)
        offsets = x[:, None, :] - self.centres[None, :, :]
        g = (w / (self.atan_span[None, :, :] * (w * w + offsets.square()))).prod(dim=2)
        alpha = g / g.sum(dim=1, keepdim=True)
        return f * jacobian, x, alpha


def bootstrap_median_maximum(abs_weights, replicas, generator):
    """Median over `replicas` resamples (with replacement, full size, zeros included) of the largest |w|."""
    n = abs_weights.numel()
    maxima = torch.empty(replicas, dtype=abs_weights.dtype)
    for r in range(replicas):
        idx = torch.randint(n, (n,), generator=generator)
        maxima[r] = abs_weights[idx].max()
    maxima, _ = maxima.sort()
    if replicas % 2 == 1:
        return maxima[replicas // 2].item()
    return 0.5 * (maxima[replicas // 2 - 1] + maxima[replicas // 2]).item()


def measure(integrator, channel_count, points, seed):
    """Stratified pass of `points` points (madnis' variance allocation) and nisgen's figures of merit."""
    batch = integrator.sample(points, channel_weight_mode="variance")
    alpha = torch.gather(batch.alphas, index=batch.channels[:, None], dim=1)[:, 0]
    weights = (alpha * batch.func_vals / batch.q_sample).detach().double()
    generator = torch.Generator().manual_seed(0xB007 + seed)
    integral, variance_sum, efficiency_sum, abs_total = 0.0, 0.0, 0.0, 0.0
    shares = []
    for c in range(channel_count):
        wc = weights[batch.channels == c]
        if wc.numel() == 0:
            continue
        mean = wc.mean().item()
        integral += mean
        variance_sum += wc.var(unbiased=False).item() / wc.numel()
        w_max = bootstrap_median_maximum(wc.abs(), 100, generator)
        eff = wc.abs().mean().item() / w_max if w_max > 0 else 0.0
        shares.append((abs(mean), eff))
        abs_total += abs(mean)
    trials_per_event = sum(share / abs_total / eff for share, eff in shares if eff > 0) if abs_total > 0 else 0.0
    efficiency_sum = 1.0 / trials_per_event if trials_per_event > 0 else 0.0
    error = math.sqrt(variance_sum)
    rel_std = error * math.sqrt(weights.numel()) / abs(integral)
    return integral, error, rel_std, efficiency_sum


def run_case(label, seed, steps, batch_size, points, vegas_init, flow_kwargs):
    dimension, peaks, width = CASES[label]
    torch.manual_seed(seed)
    np.random.seed(seed)
    toy = GaussianMixtureToy(dimension, peaks, width)
    integrand = Integrand(toy, input_dim=dimension, channel_count=peaks, remapped_dim=dimension,
                          has_channel_weight_prior=True)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    integrator = Integrator(integrand, flow_kwargs=flow_kwargs, train_channel_weights=False,
                            batch_size=batch_size, learning_rate=1e-3,
                            scheduler=lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps, eta_min=1e-5))
    if vegas_init:
        # As the Swift benchmark: 6 VEGAS iterations of 20,000 points summed over channels, 64 bins.
        vegas = VegasPreTraining(integrator, bins=64)
        vegas.rng = np.random.default_rng(seed)
        vegas.train([20_000 // peaks] * 6)
        vegas.initialize_integrator()
    integrator.train(steps)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    integral, error, rel_std, eff = measure(integrator, peaks, points, seed)
    return {"case": label, "dimension": dimension, "peaks": peaks, "width": width, "seed": seed,
            "vegas_init": vegas_init, "steps": steps, "batch": batch_size, "points": points,
            "flow": flow_kwargs, "integral": integral, "error": error, "exact": toy.exact,
            "pull": (integral - toy.exact) / error, "rel_std": rel_std, "efficiency": eff,
            "train_cpu_s": cpu, "train_wall_s": wall}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", default="2d,4d,8d")
    p.add_argument("--seeds", default="1", help="comma-separated torch/numpy seeds")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--points", type=int, default=100_000)
    p.add_argument("--scratch", action="store_true", help="no VEGAS initialisation")
    p.add_argument("--units", type=int, default=32)
    p.add_argument("--layers", type=int, default=3, help="madnis counts the output layer: 3 = 2 hidden layers")
    p.add_argument("--bins", type=int, default=10)
    p.add_argument("--json", help="append one JSON object per run to this file")
    args = p.parse_args()
    torch.set_num_threads(1)
    flow_kwargs = {"units": args.units, "layers": args.layers, "bins": args.bins}
    print(f"madnis reference: {args.steps} steps × {args.batch} points, final pass {args.points}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread, flow {flow_kwargs}")
    for label in args.cases.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            r = run_case(label, seed, args.steps, args.batch, args.points, not args.scratch, flow_kwargs)
            print(f"{label} seed {seed} {'scratch' if args.scratch else 'VEGAS-init'}: eff {r['efficiency']:.3f} "
                  f"rel.std {r['rel_std']:.3f} pull {r['pull']:.2f} cpu {r['train_cpu_s']:.1f} s "
                  f"wall {r['train_wall_s']:.1f} s", flush=True)
            if args.json:
                with open(args.json, "a") as out:
                    out.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
