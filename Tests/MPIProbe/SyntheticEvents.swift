// Synthetic but physically valid parton-level events for the event-file tests: massless 2 → 2 kinematics,
// back to back in the partonic frame and boosted along z, so momentum is conserved exactly; colour tags form
// valid flows; beams of 6.5 TeV.
import Cluster
import EventIO
import Numerics
#if canImport(Glibc)
import Glibc
#endif

let beamEnergy = 6500.0

let syntheticProcesses = [EventProcess(name: "u d~ > W+ > e+ ve", legs: 5), EventProcess(name: "u g > u g", legs: 4)]

/// Incoming partons of energies x1·E, x2·E and two massless outgoing ones at polar angle θ (partonic frame).
private func twoToTwo(x1: Double, x2: Double, cosTheta: Double, phi: Double) -> (a: [Double], b: [Double], p1: [Double], p2: [Double]) {
    let e1 = x1 * beamEnergy, e2 = x2 * beamEnergy
    let rootS = 2 * (e1 * e2).squareRoot()
    let half = rootS / 2
    let sinTheta = (1 - cosTheta * cosTheta).squareRoot()
    let beta = (e1 - e2) / (e1 + e2), gamma = (e1 + e2) / rootS
    func boosted(_ px: Double, _ py: Double, _ pz: Double) -> [Double] {
        [px, py, gamma * (pz + beta * half), gamma * (half + beta * pz)]
    }
    let px = half * sinTheta * cos(phi), py = half * sinTheta * sin(phi), pz = half * cosTheta
    return ([0, 0, e1, e1], [0, 0, -e2, e2], boosted(px, py, pz), boosted(-px, -py, -pz))
}

private func particle(_ id: Int32, _ status: Int32, _ mothers: (Int32, Int32), _ colours: (Int32, Int32), _ p: [Double], mass: Double = 0) -> EventParticle {
    EventParticle(id: id, status: status, mother1: mothers.0, mother2: mothers.1, colour1: colours.0, colour2: colours.1,
                  px: p[0], py: p[1], pz: p[2], e: p[3], m: mass)
}

func syntheticEvent(_ rng: inout RandomStream, weighted: Bool, index: Int) -> EventRecord {
    let relativeWeight = weighted ? 0.5 + 2 * rng.uniform() : (index % 13 == 5 ? 1.25 : 1)   // a few overweight events
    let trials = Int64(1 + rng.index(below: 4))
    if rng.uniform() < 0.6 {
        // u d~ > W+ > e+ ve near the W mass; the W row carries the pair's momentum and invariant mass.
        let mass = 70 + 20 * rng.uniform()
        let tau = (mass / (2 * beamEnergy)) * (mass / (2 * beamEnergy))
        let x1 = exp(log(tau.squareRoot() / 5) + rng.uniform() * log(25.0))
        let k = twoToTwo(x1: x1, x2: tau / x1, cosTheta: 2 * rng.uniform() - 1, phi: 2 * Double.pi * rng.uniform())
        let w = (0..<4).map { k.p1[$0] + k.p2[$0] }
        let rows = [particle(2, -1, (0, 0), (501, 0), k.a), particle(-1, -1, (0, 0), (0, 501), k.b),
                    particle(24, 2, (1, 2), (0, 0), w, mass: mass),
                    particle(-11, 1, (3, 3), (0, 0), k.p1), particle(12, 1, (3, 3), (0, 0), k.p2)]
        return EventRecord(processID: 1, particles: rows, trials: trials, scale: mass, factorizationScale: mass,
                           renormalizationScale: mass, alphaQED: 1 / 132.5, alphaS: 0.118, relativeWeight: relativeWeight)
    }
    // u g > u g, t-channel colour flow; |cos θ| < 0.8 keeps pT well above the shower cut-off.
    let x1 = 0.02 + 0.18 * rng.uniform(), x2 = 0.02 + 0.18 * rng.uniform()
    let k = twoToTwo(x1: x1, x2: x2, cosTheta: 1.6 * rng.uniform() - 0.8, phi: 2 * Double.pi * rng.uniform())
    let pT = (k.p1[0] * k.p1[0] + k.p1[1] * k.p1[1]).squareRoot()
    let rows = [particle(2, -1, (0, 0), (501, 0), k.a), particle(21, -1, (0, 0), (502, 503), k.b),
                particle(2, 1, (1, 2), (502, 0), k.p1), particle(21, 1, (1, 2), (501, 503), k.p2)]
    return EventRecord(processID: 2, particles: rows, trials: trials, scale: pT, factorizationScale: pT,
                       renormalizationScale: pT, alphaS: 0.13, relativeWeight: relativeWeight)
}

func runLHEH5Probe(_ args: [String]) {
    let comm = MPICommunicator.world
    let r = comm.rank
    func option(_ name: String) -> String? { args.firstIndex(of: name).map { args[$0 + 1] } }
    let path = args[0]
    let counts = args[1].split(separator: ",").map { Int($0)! }
    let mine = r < counts.count ? counts[r] : 0
    let seed = UInt64(option("--seed") ?? "7")!
    let sigma = Double(option("--sigma") ?? "1234.5")!, sigmaError = Double(option("--error") ?? "12.5")!
    let weighted = args.contains("--weighted")

    var info = EventRunInfo(energyA: beamEnergy, energyB: beamEnergy, pdfSetID: 247000, processes: syntheticProcesses,
                            weighted: weighted, cardHash: option("--card-hash") ?? "card-abc", modelHash: "model-123", seed: seed)
    info.cardText = "[process]\nname = \"synthetic\" -- probe\nseed = \(seed)\n"
    var rng = RandomStream(seed: seed, stream: UInt64(r))
    // Three rounds of uneven sizes; odd ranks skip the middle round (they still join the collective call).
    let rounds = [mine / 3, r % 2 == 1 ? 0 : mine / 4, mine - mine / 3 - (r % 2 == 1 ? 0 : mine / 4)]
    do {
        let sink = try LHEH5Sink(path: path, run: info, particlesPerEvent: 5, comm: comm)
        var index = 0
        var processWeights = [0.0, 0.0], maxRelative = [0.0, 0.0]
        var trials: Int64 = 0
        for size in rounds {
            let batch = (0..<size).map { _ -> EventRecord in
                defer { index += 1 }
                return syntheticEvent(&rng, weighted: weighted, index: index)
            }
            for e in batch {
                processWeights[e.processID - 1] += e.relativeWeight
                maxRelative[e.processID - 1] = max(maxRelative[e.processID - 1], e.relativeWeight)
                trials += e.trials
            }
            try sink.write(batch)
        }
        if args.contains("--abandon") {
            sink.abandon()
            emit("rank \(r) abandoned")
            return
        }
        comm.allreduce(&processWeights, .sum)
        comm.allreduce(&maxRelative, .max)
        let unitWeight = sigma / processWeights.reduce(0, +)
        let processSigma = processWeights.map { $0 * unitWeight }
        let totals = EventRunTotals(crossSection: sigma, error: sigmaError, processCrossSections: processSigma,
                                    processErrors: processSigma.map { sigmaError * $0 / sigma },
                                    processMaximumWeights: maxRelative.map { $0 * unitWeight }, unitWeight: unitWeight,
                                    events: comm.allreduce(Int64(mine), .sum), trials: comm.allreduce(trials, .sum))
        try sink.finish(totals)
        emit("rank \(r) wrote \(mine) events \(totals.events) trials \(totals.trials)")
    } catch {
        emit("rank \(r) error: \(error)")
        comm.finalize()
        exit(2)
    }
}
