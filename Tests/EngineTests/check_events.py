"""Independent checks of nisgen's event files with the clients users run (h5py, pylhe, Pythia 8).

Usage (each prints one JSON object on stdout):
  check_events.py lheh5 FILE          structure, counts, physics of every event of an LHEH5 file
  check_events.py pylhe FILE.lhe      read an LHE file with pylhe
  check_events.py pylhe5 FILE.h5      read an LHEH5 file with pylhe (it reads both formats)
  check_events.py pythia FILE.lhe N   shower N events with Pythia 8, report errors and sigmaGen
  check_events.py hist UNW.h5 W.h5    leading-parton pT histograms of two files, chi2 of their difference
"""
import json
import math
import sys

import numpy as np

EVENT_COLUMNS = ["pid", "nparticles", "start", "trials", "scale", "fscale", "rscale", "aqed", "aqcd", "weight"]
PARTICLE_COLUMNS = ["id", "status", "mother1", "mother2", "color1", "color2", "px", "py", "pz", "e", "m",
                    "lifetime", "spin"]


def names(ds):
    raw = ds.attrs.get("properties")
    return [x.decode() if isinstance(x, bytes) else str(x) for x in raw]


def is_parton(pid):
    return abs(pid) <= 6 or pid == 21


def pt(p):
    return math.hypot(p[6], p[7])


def eta(p):
    pz, pabs = p[8], math.sqrt(p[6] ** 2 + p[7] ** 2 + p[8] ** 2)
    return 0.5 * math.log((pabs + pz) / max(pabs - pz, 1e-300))


def phi(p):
    return math.atan2(p[7], p[6])


def lheh5(path):
    import h5py
    out = {"problems": []}
    bad = out["problems"]
    with h5py.File(path, "r") as f:
        out["datasets"] = sorted(f.keys())
        out["version"] = [int(x) for x in f["version"][()]]
        out["event_columns"] = names(f["events"])
        out["particle_columns"] = names(f["particles"])
        ev = f["events"][()]
        pa = f["particles"][()]
        proc = f["procInfo"][()]
        init = f["init"][()]
        out["attrs"] = {k: (v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else str(v)))
                        for k, v in f.attrs.items() if k != "card"}
    n = len(ev)
    out["events"] = n
    out["weight_sum"] = float(ev[:, 9].sum())
    out["proc_xsec_sum"] = float(proc[:, 3].sum())
    out["init"] = [float(x) for x in init]
    out["trials_sum"] = int(ev[:, 3].sum())
    stride = pa.shape[0] // max(n, 1)
    out["stride"] = stride
    seen = set()
    for i in range(n):
        start, k = int(ev[i, 2]), int(ev[i, 1])
        if start != i * stride:
            bad.append(f"event {i}: start {start} != {i * stride}")
        rows = pa[start:start + k]
        pin = rows[rows[:, 1] == -1]
        pout = rows[rows[:, 1] == 1]
        if len(pin) != 2:
            bad.append(f"event {i}: {len(pin)} incoming")
            continue
        sumE = rows[np.abs(rows[:, 1]) == 1][:, 9].sum()
        d = pin[:, 6:10].sum(axis=0) - pout[:, 6:10].sum(axis=0)
        if np.abs(d).max() > 1e-9 * sumE:
            bad.append(f"event {i}: momentum not conserved by {np.abs(d).max()}")
        for r in rows:
            m2 = r[9] ** 2 - r[6] ** 2 - r[7] ** 2 - r[8] ** 2
            if r[1] != 2 and abs(m2) > 1e-8 * r[9] ** 2:
                bad.append(f"event {i}: particle {int(r[0])} off shell, m2 = {m2}")
        w = rows[rows[:, 1] == 2]
        leptons = pout[(np.abs(pout[:, 0]) >= 11) & (np.abs(pout[:, 0]) <= 16)]
        if len(w) != 1 or abs(w[0, 0]) != 24 or len(leptons) != 2:
            bad.append(f"event {i}: no W resonance with two leptons")
        else:
            pw = leptons[:, 6:10].sum(axis=0)
            mlv = math.sqrt(max(pw[3] ** 2 - pw[0] ** 2 - pw[1] ** 2 - pw[2] ** 2, 0))
            if np.abs(w[0, 6:10] - pw).max() > 1e-9 * sumE or abs(w[0, 10] - mlv) > 1e-6 * max(mlv, 1):
                bad.append(f"event {i}: W row is not l+nu")
        partons = [r for r in pout if is_parton(int(r[0]))]
        for r in partons:
            if pt(r) <= 20 - 1e-9 or abs(eta(r)) >= 5:
                bad.append(f"event {i}: parton fails cuts pT {pt(r)} eta {eta(r)}")
        for a in range(len(partons)):
            for b in range(a + 1, len(partons)):
                dphi = abs(phi(partons[a]) - phi(partons[b]))
                dphi = min(dphi, 2 * math.pi - dphi)
                if math.hypot(eta(partons[a]) - eta(partons[b]), dphi) <= 0.4 - 1e-9:
                    bad.append(f"event {i}: partons closer than dR 0.4")
        colours, anticolours = [], []
        for r in rows:
            pid, c1, c2 = int(r[0]), int(r[4]), int(r[5])
            if r[1] == 2 or not is_parton(pid):
                if c1 or c2:
                    bad.append(f"event {i}: colourless particle {pid} has colour")
                continue
            col, acol = (c1, c2) if r[1] == 1 else (c2, c1)
            quark_like = (pid > 0) == (r[1] == 1)
            if pid == 21:
                ok = c1 > 0 and c2 > 0
            elif quark_like:
                ok = col > 0 and acol == 0
            else:
                ok = col == 0 and acol > 0
            if not ok:
                bad.append(f"event {i}: particle {pid} status {int(r[1])} colour tags {c1} {c2}")
            if col:
                colours.append(col)
            if acol:
                anticolours.append(acol)
        if sorted(colours) != sorted(anticolours) or len(set(colours)) != len(colours):
            bad.append(f"event {i}: colour flow does not close {colours} {anticolours}")
        key = tuple(np.round(rows[0, 6:10], 9)) + tuple(np.round(rows[-1, 6:10], 9))
        if key in seen:
            bad.append(f"event {i}: duplicate")
        seen.add(key)
    out["problems"] = bad[:20]
    out["problem_count"] = len(bad)
    return out


def read_pylhe(path):
    import pylhe
    lhe = pylhe.LHEFile.fromfile(path, generator=False)
    events = list(lhe.events)
    init = lhe.init
    return {"events": len(events), "particles": sum(len(e.particles) for e in events),
            "weight_sum": float(sum(e.eventinfo.weight for e in events)),
            "xsec_sum": float(sum(p.xSection for p in init.procInfo)),
            "beams": [init.initInfo.beamA, init.initInfo.beamB], "strategy": init.initInfo.weightingStrategy}


def pythia(path, count):
    import pythia8mc as pythia8
    p = pythia8.Pythia("", False)
    for s in ["Beams:frameType = 4", f"Beams:LHEF = {path}", "HadronLevel:all = off", "Next:numberCount = 0",
              "Check:event = on"]:
        p.readString(s)
    if not p.init():
        return {"init": False}
    done, failed, showered = 0, 0, 0
    while done < count:
        if not p.next():
            if p.infoPython().atEndOfFile():
                break
            failed += 1
            continue
        done += 1
        showered += 1 if p.event.size() > p.process.size() else 0
    info = p.infoPython()
    return {"init": True, "events": done, "showered": showered, "failed": failed, "sigma_pb": info.sigmaGen() * 1e9,
            "sigma_err_pb": info.sigmaErr() * 1e9}


def leading_pt(path):
    import h5py
    with h5py.File(path, "r") as f:
        ev = f["events"][()]
        pa = f["particles"][()]
    values, weights = [], []
    for i in range(len(ev)):
        start, k = int(ev[i, 2]), int(ev[i, 1])
        rows = pa[start:start + k]
        partons = [pt(r) for r in rows if r[1] == 1 and is_parton(int(r[0]))]
        values.append(max(partons))
        weights.append(ev[i, 9])
    return np.array(values), np.array(weights)


def hist(unweighted, weighted):
    edges = np.array([20, 30, 45, 70, 110, 180, 1e6])
    a, wa = leading_pt(unweighted)
    b, wb = leading_pt(weighted)
    ha, _ = np.histogram(a, edges, weights=wa)
    ea, _ = np.histogram(a, edges, weights=wa ** 2)
    hb, _ = np.histogram(b, edges, weights=wb)
    eb, _ = np.histogram(b, edges, weights=wb ** 2)
    # Compare shapes: both normalised to 1, errors propagated to first order.
    sa, sb = ha.sum(), hb.sum()
    chi2 = float((((ha / sa - hb / sb) ** 2) / (ea / sa ** 2 + eb / sb ** 2)).sum())
    return {"bins": len(ha), "chi2": chi2, "unweighted": (ha / sa).tolist(), "weighted": (hb / sb).tolist()}


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "lheh5":
        result = lheh5(sys.argv[2])
    elif cmd == "pylhe":
        result = read_pylhe(sys.argv[2])
    elif cmd == "pylhe5":
        result = read_pylhe(sys.argv[2])
    elif cmd == "pythia":
        result = pythia(sys.argv[2], int(sys.argv[3]))
    elif cmd == "hist":
        result = hist(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(result))
