#!/usr/bin/env python3
"""Merge headline rows written by separate `NISBench wjets` runs (one seed each, e.g. run side by side on
several cores with HEADLINE_JSON=...) into one headline file: the seed rows of each multiplicity are joined,
the seed summary (median, worst ratio, largest |pull|) is recomputed, the rows replace those of the same n in
the target. The inputs must agree on measurement size and BLAS kernel for a multiplicity.
Usage: merge_headline.py TARGET INPUT.json [INPUT.json ...]   (then check with check_headline.py TARGET)
"""
import json
import sys


def median(values):
    s = sorted(values)
    k = len(s) // 2
    return s[k] if len(s) % 2 else 0.5 * (s[k - 1] + s[k])


def summary(seeds):
    out = {"ratio": {}}
    for d in ("bootstrap_median", "reduced_max"):
        values = [s["ratio"][d] for s in seeds if s["ratio"][d] is not None]
        out["ratio"][d] = {"median": median(values), "worst": min(values)} if values else {"median": None, "worst": None}
    pulls = [abs(s["pull"]) for s in seeds if s["pull"] is not None]
    out["largest_abs_pull"] = max(pulls) if pulls else None
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    target, inputs = argv[1], argv[2:]
    with open(target) as f:
        data = json.load(f)
    merged = {}
    for path in inputs:
        with open(path) as f:
            for row in json.load(f)["rows"]:
                n = row["jets"]
                if n not in merged:
                    merged[n] = dict(row, seeds=[])
                base = merged[n]
                for key in ("measurement_points", "openblas_coretype", "channels", "combination"):
                    if row.get(key, "share_weighted") != base.get(key, "share_weighted"):
                        print(f"{path}: n = {n} has {key} {row.get(key)!r}, an earlier input {base.get(key)!r}", file=sys.stderr)
                        return 1
                if row["date"] > base["date"]:
                    for key in ("date", "cpu", "kernel"):
                        base[key] = row[key]
                known = {s["seed"] for s in base["seeds"]}
                for s in row["seeds"]:
                    if s["seed"] in known:
                        print(f"{path}: n = {n} repeats seed {s['seed']}", file=sys.stderr)
                        return 1
                    base["seeds"].append(s)
    for row in merged.values():
        row["seeds"].sort(key=lambda s: s["seed"])
        row["summary"] = summary(row["seeds"])
    rows = [r for r in data["rows"] if r["jets"] not in merged] + list(merged.values())
    for path in inputs:
        with open(path) as f:
            described = json.load(f).get("combinations")
        if described:
            data.setdefault("combinations", {}).update(described)
    data["rows"] = sorted(rows, key=lambda r: r["jets"])
    with open(target, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    for n in sorted(merged):
        r = merged[n]["summary"]["ratio"]
        print(f"n = {n}: seeds {[s['seed'] for s in merged[n]['seeds']]}, NIS/VEGAS boot. median {r['bootstrap_median']['median']:.3g} "
              f"(worst {r['bootstrap_median']['worst']:.3g}), red. median {r['reduced_max']['median']:.3g} (worst {r['reduced_max']['worst']:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
