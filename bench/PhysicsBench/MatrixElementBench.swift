// Time per phase-space point of Σ_groups |M|² for p p > e+ ve + n jets (exact helicity and colour sums,
// one thread), and the one-off cost of building the process (flows, colour matrices, helicity pruning).
import Amplitudes
import Kinematics
import Numerics
import Foundation

enum MatrixElementBench {
    /// Thread CPU time: on a shared machine wall time measures the neighbours as much as us.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
    }

    static func run() {
        if let single = ProcessInfo.processInfo.environment["NISGEN_ME_BENCH_PROCESS"] { return one(single) }
        let maxJets = Int(ProcessInfo.processInfo.environment["NISGEN_ME_BENCH_MAX_JETS"] ?? "4") ?? 4
        print("matrix elements: p p > e+ ve + n j, √s = 1 TeV RAMBO points, exact helicity and colour sums, 1 thread (thread CPU time)")
        print("  n  subprocs  groups  max flows  setup [s]  points   time/point (all groups)   per group     sampled helicity")
        for n in 0...maxJets {
            let string = "p p > e+ ve" + String(repeating: " j", count: n)
            let t0 = now()
            guard let process = try? Amplitudes.Process(string) else { print("  \(n)  failed to build"); continue }
            let setup = now() - t0
            var rng = RandomStream(seed: 7)
            let masses = [Double](repeating: 0, count: n + 2)
            var points = 0
            var sink = 0.0
            let t1 = now()
            var elapsed = 0.0
            while elapsed < 3 || points < 3 {
                let p = Rambo.event(sqrtS: 1000, masses: masses) { rng.uniform() }
                for g in process.groups {
                    sink += g.matrixElement.squared(g.members[0].legOrder.map { p[$0] }, alphaS: 0.118)
                }
                points += 1
                elapsed = now() - t1
            }
            let per = elapsed / Double(points)
            // Monte Carlo helicity sampling: one configuration per group and point.
            var sampledPoints = 0
            let t2 = now()
            while now() - t2 < 1 || sampledPoints < 3 {
                let p = Rambo.event(sqrtS: 1000, masses: masses) { rng.uniform() }
                for g in process.groups {
                    guard let me = g.matrixElement as? TreeMatrixElement else { continue }
                    sink += me.squared(g.members[0].legOrder.map { p[$0] }, alphaS: 0.118, sampledHelicity: rng.uniform())
                }
                sampledPoints += 1
            }
            let sampled = (now() - t2) / Double(sampledPoints)
            let flows = process.groups.compactMap { ($0.matrixElement as? TreeMatrixElement)?.flowCount }.max() ?? 0
            print(String(format: "  %d  %8d  %6d  %9d  %9.2f  %6d   %12.3e s            %.3e s   %.3e s",
                         n, process.subprocesses.count, process.groups.count, flows, setup, points, per, per / Double(process.groups.count), sampled))
            if !sink.isFinite { print("  (non-finite |M|² encountered)") }
            if ProcessInfo.processInfo.environment["NISGEN_ME_BENCH_DETAIL"] != nil {
                let p = Rambo.event(sqrtS: 1000, masses: masses) { rng.uniform() }
                var costs: [(Double, String)] = []
                for g in process.groups {
                    let me = g.matrixElement
                    let q = g.members[0].legOrder.map { p[$0] }
                    let t = now()
                    for _ in 0..<20 { sink += me.squared(q, alphaS: 0.118) }
                    let dt = (now() - t) / 20
                    if let tm = me as? TreeMatrixElement {
                        costs.append((dt, "\(g.members[0].subprocess)  flows \(tm.flowCount) hel \(tm.helicityCount) currents \(tm.currentCount) terms \(tm.vertexTermCount)"))
                    }
                }
                for (dt, s) in costs.sorted(by: { $0.0 > $1.0 }).prefix(6) { print(String(format: "       %.3e s  ", dt) + s) }
            }
        }
    }

    /// Setup and evaluation time of one process string (e.g. to see how far the design carries in n).
    static func one(_ string: String) {
        let t0 = now()
        guard let process = try? Amplitudes.Process(string) else { print("\(string): failed to build"); return }
        let setup = now() - t0
        let first = process.groups[0].members[0].subprocess
        let masses = first.outgoing.map { abs($0) == 24 ? StandardModel().mW : 0.0 }
        var rng = RandomStream(seed: 7)
        var points = 0, sink = 0.0
        let t1 = now()
        while now() - t1 < 3 || points < 2 {
            let p = Rambo.event(sqrtS: 1000, masses: masses) { rng.uniform() }
            for g in process.groups { sink += g.matrixElement.squared(g.members[0].legOrder.map { p[$0] }, alphaS: 0.118) }
            points += 1
        }
        let per = (now() - t1) / Double(points)
        let flows = process.groups.compactMap { ($0.matrixElement as? TreeMatrixElement)?.flowCount }.max() ?? 0
        print(String(format: "%@: %d subprocesses, %d groups, max %d flows, setup %.2f s, %.3e s per point (sum %.3e)",
                     string, process.subprocesses.count, process.groups.count, flows, setup, per, sink))
    }
}
