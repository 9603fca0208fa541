// Event-file throughput: synthetic W + 2 jet-shaped events (7 particle rows: 2 incoming, W, ℓ, ν, 2 partons)
// written collectively through the LHEH5 sink on every rank, then converted to LHE on rank 0.
//   mpirun -np 2 EngineBench write EVENTS FOLDER      (prints one JSON line on rank 0)
import Cluster
import EventIO
import Numerics
#if canImport(Glibc)
import Glibc
#endif

func syntheticWPlusTwoJets(_ rng: inout RandomStream) -> EventRecord {
    // Massless momenta balanced in the transverse plane; the incoming momenta carry the total E and pz.
    func p(_ px: Double, _ py: Double, _ pz: Double) -> (Double, Double, Double, Double) { (px, py, pz, (px * px + py * py + pz * pz).squareRoot()) }
    var out = [(Double, Double, Double, Double)]()
    var sx = 0.0, sy = 0.0
    for _ in 0..<3 {
        let px = 200 * (rng.uniform() - 0.5), py = 200 * (rng.uniform() - 0.5), pz = 600 * (rng.uniform() - 0.5)
        out.append(p(px, py, pz)); sx += px; sy += py
    }
    out.append(p(-sx, -sy, 300 * (rng.uniform() - 0.5)))
    let e = out.reduce(0) { $0 + $1.3 }, pz = out.reduce(0) { $0 + $1.2 }
    let e1 = (e + pz) / 2, e2 = (e - pz) / 2
    func row(_ id: Int32, _ st: Int32, _ m1: Int32, _ m2: Int32, _ c1: Int32, _ c2: Int32, _ q: (Double, Double, Double, Double), _ m: Double = 0) -> EventParticle {
        EventParticle(id: id, status: st, mother1: m1, mother2: m2, colour1: c1, colour2: c2, px: q.0, py: q.1, pz: q.2, e: q.3, m: m)
    }
    let w = (out[0].0 + out[1].0, out[0].1 + out[1].1, out[0].2 + out[1].2, out[0].3 + out[1].3)
    let mw = max(w.3 * w.3 - w.0 * w.0 - w.1 * w.1 - w.2 * w.2, 0).squareRoot()
    let rows = [row(2, -1, 0, 0, 501, 0, (0, 0, e1, e1)), row(21, -1, 0, 0, 502, 501, (0, 0, -e2, e2)),
                row(24, 2, 1, 2, 0, 0, w, mw), row(-11, 1, 3, 3, 0, 0, out[0]), row(12, 1, 3, 3, 0, 0, out[1]),
                row(1, 1, 1, 2, 503, 0, out[2]), row(21, 1, 1, 2, 502, 503, out[3])]
    return EventRecord(processID: 1, particles: rows, trials: 30, scale: 90, factorizationScale: 90, renormalizationScale: 90,
                       alphaQED: 1 / 132.5, alphaS: 0.118, relativeWeight: 1)
}

func fileSize(_ path: String) -> Double {
    var st = stat()
    return stat(path, &st) == 0 ? Double(st.st_size) : 0
}

let args = CommandLine.arguments
let comm = MPICommunicator.world
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

/// Latency (one Double) and bandwidth (a 4 MB buffer) of allreduce: the inputs of the cost model.
if args.count == 2, args[1] == "allreduce" {
    func time(_ count: Int, reps: Int) -> Double {
        var buffer = [Double](repeating: 1, count: count)
        for _ in 0..<5 { comm.allreduce(&buffer, .sum) }
        var times = [Double]()
        for _ in 0..<reps { comm.barrier(); let t0 = comm.wallTime(); comm.allreduce(&buffer, .sum); times.append(comm.wallTime() - t0) }
        var m = [median(times)]
        comm.allreduce(&m, .max)
        return m[0]
    }
    let small = time(1, reps: 400), large = time(1 << 19, reps: 40)
    if comm.isRoot {
        print("{\"ranks\": \(comm.size), \"allreduce_latency_s\": \(small), \"allreduce_4mb_s\": \(large), \"allreduce_bandwidth_bytes_per_s\": \(Double(8 << 19) / max(large - small, 1e-9))}")
    }
    comm.finalize()
    exit(0)
}
guard args.count == 4, args[1] == "write", let total = Int(args[2]) else {
    fputs("usage: EngineBench write EVENTS FOLDER | EngineBench allreduce\n", stderr); exit(2)
}
let folder = args[3]
let path = "\(folder)/bench-\(comm.size).h5", lhe = "\(folder)/bench-\(comm.size).lhe"
if comm.isRoot { unlink(path); unlink(lhe) }
comm.barrier()
let mine = total / comm.size + (comm.rank < total % comm.size ? 1 : 0)
var rng = RandomStream(seed: 3, stream: UInt64(comm.rank))
let info = EventRunInfo(energyA: 6500, energyB: 6500, pdfSetID: 247000, processes: [EventProcess(name: "u g > e+ ve d g", legs: 7)],
                        weighted: false, cardHash: "bench", modelHash: "bench", seed: 3)
// Events are made before the clock starts: this measures the file, not the generator.
let events = (0..<mine).map { _ in syntheticWPlusTwoJets(&rng) }
let block = 10_000 / comm.size
comm.barrier()
let t0 = comm.wallTime()
let sink = try LHEH5Sink(path: path, run: info, particlesPerEvent: 7, comm: comm, chunkEvents: 8192)
var written = 0
while comm.allreduce(Int64(written < mine ? 1 : 0), .max) == 1 {
    let n = min(block, mine - written)
    try sink.write(Array(events[written..<(written + n)]))
    written += n
}
try sink.finish(EventRunTotals(crossSection: 1000, error: 1, processCrossSections: [1000], processErrors: [1],
                               processMaximumWeights: [1000 / Double(total)], unitWeight: 1000 / Double(total),
                               events: Int64(total), trials: Int64(30 * total)))
let seconds = comm.wallTime() - t0
if comm.isRoot {
    let size = fileSize(path)
    let t1 = comm.wallTime()
    try LHEWriter.convert(try LHEH5File(path: path), to: lhe)
    let lheSeconds = comm.wallTime() - t1
    print("{\"ranks\": \(comm.size), \"events\": \(total), \"lheh5_seconds\": \(seconds), \"lheh5_mb\": \(size / 1e6), "
          + "\"lheh5_events_per_s\": \(Double(total) / seconds), \"lheh5_mb_per_s\": \(size / 1e6 / seconds), "
          + "\"lhe_seconds\": \(lheSeconds), \"lhe_mb\": \(fileSize(lhe) / 1e6), \"lhe_events_per_s\": \(Double(total) / lheSeconds)}")
    unlink(path); unlink(lhe)
}
comm.finalize()
