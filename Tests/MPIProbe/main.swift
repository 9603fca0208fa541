// MPIProbe: launched by ClusterTests under real `mpirun`; prints what each rank computed so the test can
// compare with closed forms. Modes:
//   collectives                     allreduce/prefix-sum/broadcast/gather results, one line per rank
//   h5write PATH N0 N1 ...          rank r appends N_r rows (r, i, r*1000+i) to dataset "rows" of PATH
//   h5dup PATH                      creates dataset "rows" twice (must fail cleanly on every rank)
//   lheh5 PATH N0,N1,... [--seed S] [--sigma X] [--error E] [--card-hash H] [--weighted] [--abandon]
//                                   rank r writes N_r synthetic events through LHEH5Sink in three uneven rounds
//                                   (u d~ > W+ > e+ ve with a status-2 W row, and u g > u g), then finishes with
//                                   σ = X ± E (or abandons); rank 0 prints the totals it passed
import Cluster
import EventIO
import Numerics
#if canImport(Glibc)
import Glibc
#endif

let comm = MPICommunicator.world
let args = Array(CommandLine.arguments.dropFirst())
let r = comm.rank, n = comm.size

func emit(_ s: String) {
    // One write per line keeps ranks' lines whole when mpirun merges stdout.
    print(s)
    fflush(nil)
}

switch args.first ?? "" {
case "collectives":
    var d = [Double(r + 1), Double(r) * 0.5]
    comm.allreduce(&d, .sum)
    var f: [Float] = [Float(r) + 0.25]
    comm.allreduce(&f, .max)
    var i: [Int64] = [Int64(10 - r), Int64(r) * 1_000_000_000_000]
    comm.allreduce(&i, .min)
    var imax: [Int64] = [Int64(r) * 1_000_000_000_000]
    comm.allreduce(&imax, .max)
    let ex = comm.exclusivePrefixSum(Int64(r + 1))
    var b: [Double] = r == 0 ? [3.5, -1] : [0, 0]
    comm.broadcast(&b, root: 0)
    let msg = comm.broadcast(r == n - 1 ? "from-last" : "", root: n - 1)
    let g = comm.gather((0..<r).map { Double(r * 10 + $0) }, root: 0)
    var line = "rank \(r) size \(n) sumA \(d[0]) sumB \(d[1]) maxF \(f[0]) minI0 \(i[0]) minI1 \(i[1]) maxI \(imax[0]) exscan \(ex) bcast \(b[0]) \(b[1]) msg \(msg)"
    if r == 0 { line += " gather =" + g.map { $0.map { String(Int($0)) }.joined(separator: ",") }.joined(separator: "|") }
    emit(line)
case "h5write":
    let path = args[1]
    let counts = args.dropFirst(2).map { Int($0)! }
    let mine = r < counts.count ? counts[r] : 0
    var rows: [Double] = []
    for k in 0..<mine { rows += [Double(r), Double(k), Double(r * 1000 + k)] }
    do {
        let file = try ParallelH5File(creating: path, comm: comm)
        try file.createDataset("rows", columns: 3)
        try file.setStringAttribute("properties", on: "rows", values: ["rank", "index", "value"])
        let offset = try file.append("rows", rows: rows)
        let second = try file.append("rows", rows: rows)   // a second append lands after all first-round rows
        let collective = file.allWritesCollective
        try file.close()
        emit("rank \(r) offset \(offset) second \(second) collective \(collective)")
    } catch {
        emit("rank \(r) error: \(error)")
        comm.finalize()
        exit(2)
    }
case "h5dup":
    do {
        let file = try ParallelH5File(creating: args[1], comm: comm)
        try file.createDataset("rows", columns: 3)
        try file.createDataset("rows", columns: 3)
        try file.close()
        emit("rank \(r) unexpectedly succeeded")
    } catch {
        emit("rank \(r) error: \(error)")
        comm.finalize()
        exit(2)
    }
case "lheh5":
    runLHEH5Probe(Array(args.dropFirst()))
default:
    emit("unknown mode")
    comm.finalize()
    exit(64)
}
comm.finalize()
