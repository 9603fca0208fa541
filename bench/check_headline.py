#!/usr/bin/env python3
"""Validate bench/results/headline.json (written by `NISBench wjets`) and print its table.

Checks the layout, the ranges of every figure, and that the derived figures follow from the measured ones:
ratios from the efficiencies, pulls from the cross sections, generation rates from efficiency x points / CPU s,
amortised rates and break-even events from the set-up CPU seconds, seed summaries from the seed rows.
Exit status 0 when the file is consistent, 1 otherwise (every problem is listed on stderr).
Usage: check_headline.py [path]   (default: bench/results/headline.json next to this script)
"""
import datetime
import json
import math
import os
import sys

SCHEMA = "nisgen-headline/1"
DEFINITIONS = ("bootstrap_median", "reduced_max")
GENERATOR = "generator"
CORETYPES = {"Haswell", "SkylakeX", "Zen", "Sandybridge", "default"}
RELATIVE_TOLERANCE = 1e-9


class Checker:
    def __init__(self):
        self.problems = []
        self.used = set()

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    def get(self, obj, key, kind, where):
        """obj[key] if present and of type `kind` (numbers: int or float, not bool), else None with a problem."""
        if not isinstance(obj, dict) or key not in obj:
            self.fail(where, f"missing '{key}'")
            return None
        value = obj[key]
        kinds = (int, float) if kind is float else (kind,)
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.fail(where, f"'{key}' should be {kind.__name__}, is {value!r}")
            return None
        if kind is float and not math.isfinite(value):
            self.fail(where, f"'{key}' is not finite")
            return None
        return value

    def positive(self, obj, key, where):
        value = self.get(obj, key, float, where)
        if value is not None and value <= 0:
            self.fail(where, f"'{key}' = {value} should be > 0")
        return value

    def fraction(self, obj, key, where):
        """A number in (0, 1]."""
        value = self.positive(obj, key, where)
        if value is not None and value > 1:
            self.fail(where, f"'{key}' = {value} should be <= 1")
        return value

    def agrees(self, where, name, stated, expected):
        if stated is None or expected is None:
            return
        scale = max(abs(stated), abs(expected), 1e-300)
        if abs(stated - expected) > RELATIVE_TOLERANCE * scale:
            self.fail(where, f"{name} = {stated} but the figures give {expected}")

    def both(self, obj, key, where, check):
        """A {'bootstrap_median': x, 'reduced_max': y} object, each value checked by `check`."""
        pair = self.get(obj, key, dict, where)
        if pair is None:
            return {d: None for d in DEFINITIONS}
        return {d: check(pair, d, f"{where}.{key}") for d in DEFINITIONS}

    def date(self, obj, where):
        text = self.get(obj, "date", str, where)
        if text is not None:
            try:
                datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                self.fail(where, f"date {text!r} is not ISO 8601")

    def provenance(self, obj, where):
        self.date(obj, where)
        self.get(obj, "cpu", str, where)
        self.get(obj, "kernel", str, where)
        coretype = self.get(obj, "openblas_coretype", str, where)
        if coretype is not None and coretype not in CORETYPES:
            self.fail(where, f"unknown OPENBLAS_CORETYPE {coretype!r}")

    def measurement(self, m, where, points=None, combination="share_weighted"):
        """A sampler's measurement pass; returns its efficiencies and generation rates."""
        sigma = self.positive(m, "sigma_pb", where)
        error = self.positive(m, "error_pb", where)
        if sigma is not None and error is not None and error >= sigma:
            self.fail(where, f"error {error} pb is not smaller than sigma {sigma} pb")
        n = self.get(m, "evaluation_points", int, where)
        if points is not None and n is not None and n != points:
            self.fail(where, f"evaluation_points {n} differ from the measurement sample size {points}")
        cpu = self.positive(m, "evaluation_cpu_s", where)
        eff = self.both(m, "efficiency", where, self.fraction)
        rate = self.both(m, "unweighted_per_cpu_s", where, self.positive)
        if combination == GENERATOR:
            # The generator's efficiency is a share-weighted harmonic mean of the channels', never above the arithmetic one.
            arithmetic = self.both(m, "share_weighted_efficiency", where, self.fraction)
            for d in DEFINITIONS:
                if None not in (eff[d], arithmetic[d]) and eff[d] > arithmetic[d] * (1 + 1e-12):
                    self.fail(where, f"efficiency.{d} {eff[d]} exceeds share_weighted_efficiency.{d} {arithmetic[d]}")
        for d in DEFINITIONS:
            if None not in (eff[d], n, cpu):
                self.agrees(where, f"unweighted_per_cpu_s.{d}", rate[d], eff[d] * n / cpu)
        return {"sigma": sigma, "error": error, "efficiency": eff, "rate": rate}

    def seed_row(self, row, where, points, events, combination="share_weighted"):
        seed = self.get(row, "seed", int, where)
        vegas = self.get(row, "vegas", dict, where) or {}
        nis = self.get(row, "nis", dict, where) or {}
        v = self.measurement(vegas, f"{where}.vegas", points, combination)
        s = self.measurement(nis, f"{where}.nis", points, combination)
        self.positive(vegas, "warmup_calls", f"{where}.vegas")
        warmup = self.positive(vegas, "warmup_cpu_s", f"{where}.vegas")
        self.positive(nis, "training_calls", f"{where}.nis")
        training = self.positive(nis, "training_cpu_s", f"{where}.nis")
        pull = self.get(row, "pull", float, where)
        if None not in (v["sigma"], v["error"], s["sigma"], s["error"]):
            self.agrees(where, "pull", pull, (s["sigma"] - v["sigma"]) / math.hypot(s["error"], v["error"]))
        ratio = self.both(row, "ratio", where, self.positive)
        for d in DEFINITIONS:
            if None not in (v["efficiency"][d], s["efficiency"][d]):
                self.agrees(where, f"ratio.{d}", ratio[d], s["efficiency"][d] / v["efficiency"][d])
        amortised = {}
        for name, sampler, m, setup in (("vegas", vegas, v, warmup),
                                        ("nis", nis, s, None if None in (warmup, training) else warmup + training)):
            amortised[name] = self.both(sampler, "amortised_unweighted_per_cpu_s", f"{where}.{name}", self.positive)
            for d in DEFINITIONS:
                if None not in (m["rate"][d], setup):
                    self.agrees(f"{where}.{name}", f"amortised_unweighted_per_cpu_s.{d}", amortised[name][d],
                                events / (setup + events / m["rate"][d]))
        break_even = self.get(row, "break_even_events", dict, where) or {}
        for d in DEFINITIONS:
            if d not in break_even:
                self.fail(where, f"break_even_events lacks '{d}'")
                continue
            rv, rn, stated = v["rate"][d], s["rate"][d], break_even[d]
            if None in (rv, rn, training):
                continue
            if rn <= rv:
                if stated is not None:
                    self.fail(where, f"break_even_events.{d} = {stated} although NIS generates no faster than VEGAS")
            elif stated is None:
                self.fail(where, f"break_even_events.{d} is null although NIS generates faster")
            else:
                self.agrees(where, f"break_even_events.{d}", stated, training / (1 / rv - 1 / rn))
                faster_at_amortised = amortised["nis"][d] is not None and amortised["vegas"][d] is not None \
                    and amortised["nis"][d] > amortised["vegas"][d]
                if faster_at_amortised != (events > stated):
                    self.fail(where, f"break-even {stated} and the amortised rates at {events} events disagree")
        return {"seed": seed, "pull": pull, "ratio": ratio}

    def summary(self, row, seeds, where):
        summary = self.get(row, "summary", dict, where)
        if summary is None:
            return
        ratios = self.get(summary, "ratio", dict, f"{where}.summary") or {}
        for d in DEFINITIONS:
            values = [s["ratio"][d] for s in seeds if s["ratio"][d] is not None]
            stats = self.get(ratios, d, dict, f"{where}.summary.ratio")
            if stats is None or not values:
                continue
            ordered = sorted(values)
            k = len(ordered) // 2
            median = ordered[k] if len(ordered) % 2 else 0.5 * (ordered[k - 1] + ordered[k])
            self.agrees(f"{where}.summary", f"ratio.{d}.median", self.get(stats, "median", float, where), median)
            self.agrees(f"{where}.summary", f"ratio.{d}.worst", self.get(stats, "worst", float, where), ordered[0])
        pulls = [abs(s["pull"]) for s in seeds if s["pull"] is not None]
        if pulls:
            self.agrees(f"{where}.summary", "largest_abs_pull", self.get(summary, "largest_abs_pull", float, where), max(pulls))

    def row(self, row, index, events):
        where = f"rows[{index}]"
        jets = self.get(row, "jets", int, where)
        if jets is not None:
            where = f"n={jets}"
            if not 1 <= jets <= 4:
                self.fail(where, f"jets = {jets} outside 1..4")
        channels = self.get(row, "channels", int, where)
        if channels is not None and channels < 1:
            self.fail(where, f"channels = {channels} should be >= 1")
        points = self.get(row, "measurement_points", int, where)
        if points is not None and points < 1:
            self.fail(where, f"measurement_points = {points} should be >= 1")
        self.provenance(row, where)
        seed_rows = self.get(row, "seeds", list, where) or []
        if not seed_rows:
            self.fail(where, "no seed rows")
        combination = self.combination(row, where)
        seeds = [self.seed_row(s, f"{where}.seed[{i}]", points, events, combination) for i, s in enumerate(seed_rows)]
        numbers = [s["seed"] for s in seeds if s["seed"] is not None]
        if len(set(numbers)) != len(numbers):
            self.fail(where, f"repeated seeds {numbers}")
        self.summary(row, seeds, where)
        return jets

    def combination(self, obj, where):
        """How the object combines channel efficiencies; rows before session 11 carry none (share-weighted)."""
        c = obj.get("combination", "share_weighted") if isinstance(obj, dict) else "share_weighted"
        if c not in (GENERATOR, "share_weighted"):
            self.fail(where, f"unknown combination {c!r}")
        self.used.add(c)
        return c

    def sample_study(self, study):
        where = "sample_size_study"
        self.provenance(study, where)
        combination = self.combination(study, where)
        if self.get(study, "jets", int, where) != 2:
            self.fail(where, "the study is defined at n = 2")
        self.get(study, "seed", int, where)
        rows = self.get(study, "rows", list, where) or []
        sizes = []
        for i, r in enumerate(rows):
            w = f"{where}.rows[{i}]"
            points = self.get(r, "points", int, w)
            sizes.append(points)
            v = self.measurement(r.get("vegas", {}) if isinstance(r, dict) else {}, f"{w}.vegas", points, combination)
            s = self.measurement(r.get("nis", {}) if isinstance(r, dict) else {}, f"{w}.nis", points, combination)
            ratio = self.both(r, "ratio", w, self.positive)
            for d in DEFINITIONS:
                if None not in (v["efficiency"][d], s["efficiency"][d]):
                    self.agrees(w, f"ratio.{d}", ratio[d], s["efficiency"][d] / v["efficiency"][d])
        if None not in sizes and sizes != sorted(set(sizes)):
            self.fail(where, f"sample sizes {sizes} are not increasing")

    def file(self, data):
        if not isinstance(data, dict):
            self.fail("file", "top level is not an object")
            return
        if data.get("schema") != SCHEMA:
            self.fail("file", f"schema {data.get('schema')!r}, expected {SCHEMA!r}")
        policies = self.get(data, "max_weight_policies", dict, "file") or {}
        for d in DEFINITIONS:
            self.get(policies, d, str, "file.max_weight_policies")
        events = self.positive(data, "amortised_events", "file") or 1e6
        rows = self.get(data, "rows", list, "file") or []
        jets = [self.row(r, i, events) for i, r in enumerate(rows)]
        known = [j for j in jets if j is not None]
        if known != sorted(set(known)):
            self.fail("file", f"rows' jets {known} are not unique and increasing")
        if "sample_size_study" in data:
            self.sample_study(data["sample_size_study"])
        described = data.get("combinations", {})
        if not isinstance(described, dict):
            self.fail("file", "combinations is not an object")
            described = {}
        for c in sorted(self.used):
            if c not in described and not (c == "share_weighted" and isinstance(data.get("combination"), str)):
                self.fail("file", f"combination {c!r} is used but not described in 'combinations'")


def sci(x, digits=3):
    return "–" if x is None else f"{x:.{digits - 1}e}"


def table(data):
    lines = ["| n | seed | ch | σ VEGAS [pb] | σ NIS [pb] | pull | ε VEGAS boot. / red. | ε NIS boot. / red. "
             "| NIS/VEGAS boot. / red. | unw. ev/CPU s VEGAS → NIS (10⁶ ev. amortised, boot.) | break-even (boot.) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in data["rows"]:
        for s in row["seeds"]:
            v, n = s["vegas"], s["nis"]
            lines.append(
                f"| {row['jets']} | {s['seed']} | {row['channels']} | {v['sigma_pb']:.5g} ± {v['error_pb']:.2g} "
                f"| {n['sigma_pb']:.5g} ± {n['error_pb']:.2g} | {s['pull']:.2f} "
                f"| {sci(v['efficiency']['bootstrap_median'])} / {sci(v['efficiency']['reduced_max'])} "
                f"| {sci(n['efficiency']['bootstrap_median'])} / {sci(n['efficiency']['reduced_max'])} "
                f"| {s['ratio']['bootstrap_median']:.2f} / {s['ratio']['reduced_max']:.2f} "
                f"| {sci(v['amortised_unweighted_per_cpu_s']['bootstrap_median'])} → "
                f"{sci(n['amortised_unweighted_per_cpu_s']['bootstrap_median'])} "
                f"| {sci(s['break_even_events']['bootstrap_median'], 2)} |")
        if len(row["seeds"]) > 1:
            r = row["summary"]["ratio"]
            lines.append(f"| {row['jets']} | median / worst | | | | max \\|pull\\| {row['summary']['largest_abs_pull']:.2f} | | "
                         f"| {r['bootstrap_median']['median']:.2f} / {r['reduced_max']['median']:.2f} (median), "
                         f"{r['bootstrap_median']['worst']:.2f} / {r['reduced_max']['worst']:.2f} (worst) | | |")
    study = data.get("sample_size_study")
    if study:
        lines += ["", f"Sample-size study, n = 2, seed {study['seed']}:", "",
                  "| points | ε VEGAS boot. / red. | ε NIS boot. / red. | NIS/VEGAS boot. / red. | σ NIS [pb] |",
                  "|---|---|---|---|---|"]
        for r in study["rows"]:
            v, n = r["vegas"], r["nis"]
            lines.append(f"| {r['points']} | {sci(v['efficiency']['bootstrap_median'])} / {sci(v['efficiency']['reduced_max'])} "
                         f"| {sci(n['efficiency']['bootstrap_median'])} / {sci(n['efficiency']['reduced_max'])} "
                         f"| {r['ratio']['bootstrap_median']:.2f} / {r['ratio']['reduced_max']:.2f} "
                         f"| {n['sigma_pb']:.5g} ± {n['error_pb']:.2g} |")
    return "\n".join(lines)


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "headline.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as error:
        print(f"{path}: cannot read: {error}", file=sys.stderr)
        return 1
    checker = Checker()
    checker.file(data)
    if checker.problems:
        print(f"{path}: {len(checker.problems)} problem(s)", file=sys.stderr)
        for p in checker.problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(table(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
