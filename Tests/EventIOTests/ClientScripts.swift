// Python scripts the tests run in .venv: what h5py, pylhe and Pythia 8 make of our files.
enum ClientScripts {
    /// h5py: layout, counts, strides, padding, momentum conservation and attributes of an LHEH5 file.
    static let h5pyInspect = #"""
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
names = lambda d: [c.decode() if isinstance(c, bytes) else str(c) for c in f[d].attrs["properties"]]
ev, pa, proc = f["events"][:], f["particles"][:], f["procInfo"][:]
stride = int(f.attrs["particlesPerEvent"])
n = len(ev)
pad_ok, legs_ok, maxdev = True, True, 0.0
for i in range(n):
    k = int(ev[i, 1])
    rows = pa[int(ev[i, 2]):int(ev[i, 2]) + stride]
    pad_ok = pad_ok and bool(np.all(rows[k:] == 0)) and len(rows) == stride
    legs_ok = legs_ok and k == int(proc[int(ev[i, 0]) - 1, 1])
    real = rows[:k]
    d = real[real[:, 1] == 1][:, 6:10].sum(0) - real[real[:, 1] == -1][:, 6:10].sum(0)
    maxdev = max(maxdev, float(np.abs(d).max()))
out = {
    "datasets": sorted(f.keys()), "columns": {d: names(d) for d in f.keys()},
    "events": n, "particleRows": len(pa), "stride": stride, "eventChunk": f["events"].chunks[0],
    "startsOK": bool(np.all(ev[:, 2] == np.arange(n) * stride)), "paddingOK": pad_ok, "legsOK": legs_ok,
    "maxMomentumImbalance": maxdev, "weightSum": float(ev[:, 9].sum()), "trialSum": float(ev[:, 3].sum()),
    "distinctWeights": len(np.unique(np.round(ev[:, 9], 9))), "minWeight": float(ev[:, 9].min()),
    "version": [int(v) for v in f["version"][()]], "init": [float(v) for v in f["init"][()]],
    "procInfo": proc.tolist(), "shapes": {d: list(f[d].shape) for d in f.keys()},
}
for a in ["crossSection", "crossSectionError", "eventCount", "trialCount", "complete", "seed", "unitWeight"]:
    out[a] = float(f.attrs[a])
for a in ["cardHash", "modelHash", "cardText", "weighting", "seeds", "weightRescaling"]:
    if a in f.attrs: out[a] = str(f.attrs[a])
print("JSON " + json.dumps(out))
"""#

    /// pylhe: events, weights and init of an LHEH5 (.h5) or LHE (.lhe) file.
    static let pylheSummary = #"""
import sys, json, pylhe
lhe = pylhe.LHEFile.fromfile(sys.argv[1], generator=False)
events = list(lhe.events)
init = lhe.init
maxdev = 0.0
for e in events:
    for c in ("px", "py", "pz", "e"):
        s = sum(getattr(p, c) * (1 if p.status == 1 else -1) for p in e.particles if p.status in (1, -1))
        maxdev = max(maxdev, abs(s))
print("JSON " + json.dumps({
    "events": len(events), "weightSum": sum(e.eventinfo.weight for e in events),
    "particles": sum(len(e.particles) for e in events), "declaredParticles": sum(e.eventinfo.nparticles for e in events),
    "weightingStrategy": init.initInfo.weightingStrategy, "numProcesses": init.initInfo.numProcesses,
    "xsecSum": sum(p.xSection for p in init.procInfo), "beams": [init.initInfo.beamA, init.initInfo.beamB],
    "energies": [init.initInfo.energyA, init.initInfo.energyB], "pdf": init.initInfo.PDFsetA,
    "procIds": [p.procId for p in init.procInfo], "maxMomentumImbalance": maxdev,
}))
"""#

    /// Pythia 8 reads an LHE file, showers every event (hadronisation off to save time), reports σ and problems.
    static let pythiaShower = #"""
import sys, json, pythia8mc as pythia8
p = pythia8.Pythia("", False)
for s in ["Beams:frameType = 4", "Beams:LHEF = " + sys.argv[1], "HadronLevel:all = off",
          "Next:numberCount = 0", "Check:event = on"]:
    p.readString(s)
ok = p.init()
showered, failed = 0, 0
while ok:
    if not p.next():
        if p.infoPython().atEndOfFile(): break
        failed += 1
        continue
    showered += 1 if p.event.size() > p.process.size() else 0
info = p.infoPython()
p.stat()   # prints the error and warning statistics, checked by the test
print("JSON " + json.dumps({"init": bool(ok), "showered": showered, "failed": failed, "accepted": info.nAccepted(),
    "sigmaPb": info.sigmaGen() * 1e9, "sigmaErrPb": info.sigmaErr() * 1e9}))
"""#
}
