"""Damage a copy of a valid LHEH5 event file in one named way, with h5py, for the tests of `nisgen inspect --verify`.

    python corrupt_events.py SOURCE.h5 DEST.h5 KIND

Prints one JSON line saying what was changed (event, row, old and new value).
"""
import json
import shutil
import sys

import h5py
import numpy as np

STATUS, ID, C1, PX, E, M = 1, 0, 4, 6, 9, 10


def parton_rows(f, event, status=1):
    """Particle rows of `event` that are partons with the given status."""
    ev = f["events"][event]
    start, count = int(ev[2]), int(ev[1])
    rows = f["particles"][start:start + count]
    return [start + k for k, r in enumerate(rows)
            if int(r[STATUS]) == status and (abs(int(r[ID])) <= 6 or int(r[ID]) == 21)]


def lepton_row(f, event):
    ev = f["events"][event]
    start, count = int(ev[2]), int(ev[1])
    rows = f["particles"][start:start + count]
    return next(start + k for k, r in enumerate(rows) if int(r[STATUS]) == 1 and 11 <= abs(int(r[ID])) <= 16)


def set_cell(f, dataset, row, column, value):
    old = float(f[dataset][row, column])
    f[dataset][row, column] = value
    return {"dataset": dataset, "row": int(row), "column": column, "old": old, "new": float(value)}


def corrupt(f, kind):
    if kind == "momentum":          # one momentum component of an outgoing parton
        r = parton_rows(f, 3)[0]
        return set_cell(f, "particles", r, PX, f["particles"][r, PX] + 1.0)
    if kind == "energy":            # the energy of an incoming parton
        r = parton_rows(f, 6, status=-1)[0]
        return set_cell(f, "particles", r, E, f["particles"][r, E] * 1.001)
    if kind == "nan-weight":
        return set_cell(f, "events", 5, 9, float("nan"))
    if kind == "weight":            # a finite but wrong weight
        return set_cell(f, "events", 0, 9, f["events"][0, 9] * 2)
    if kind == "colour":            # a colour tag no other parton closes
        r = parton_rows(f, 2)[0]
        return set_cell(f, "particles", r, C1, 777)
    if kind == "mass":              # the mass column of a (massless) lepton
        return set_cell(f, "particles", lepton_row(f, 4), M, 0.5)
    if kind == "process-id":
        return set_cell(f, "events", 1, 0, 99)
    if kind == "proc-xsection":
        return set_cell(f, "procInfo", 0, 3, f["procInfo"][0, 3] * 1.01)
    if kind in ("event-count", "trial-count", "cross-section"):
        name = {"event-count": "eventCount", "trial-count": "trialCount", "cross-section": "crossSection"}[kind]
        old = f.attrs[name]
        new = {"event-count": old + 1, "trial-count": np.int64(1), "cross-section": old * 1.5}[kind]
        f.attrs[name] = new
        return {"attribute": name, "old": float(old), "new": float(new)}
    if kind in ("no-complete", "no-model-hash"):
        name = {"no-complete": "complete", "no-model-hash": "modelHash"}[kind]
        del f.attrs[name]
        return {"deleted": name}
    if kind == "card":              # the stored run card no longer matches cardHash (and cuts every event)
        card = f.attrs["cardText"]
        card = card.decode() if isinstance(card, bytes) else card
        f.attrs["cardText"] = card.replace("[cuts]", "[cuts]\njet_pt_min = 5000.0", 1) if "[cuts]" in card \
            else card + "\n[cuts]\njet_pt_min = 5000.0\n"
        return {"attribute": "cardText", "new": "jet_pt_min = 5000"}
    raise SystemExit(f"unknown corruption {kind}")


def main():
    source, dest, kind = sys.argv[1:4]
    shutil.copyfile(source, dest)
    with h5py.File(dest, "r+") as f:
        change = corrupt(f, kind)
    print(json.dumps({"kind": kind, "change": change}))


if __name__ == "__main__":
    main()
