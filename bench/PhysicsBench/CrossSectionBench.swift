// Cross sections and phase-space speed for W⁺(→ e⁺νₑ) + n jets (n = 0…4) at 13 TeV, release build, one thread.
// 1. Cross sections with the real ingredients: NNPDF2.3 LO, exact Berends–Giele |M|² (helicity and colour sums),
//    Chili channels, p_T,j > 20 GeV, |η_j| < 5, ΔR_jj > 0.4 (n = 0: no cuts), μR = μF = Σ m_T/2, 10 GeV < m_ℓν < √s,
//    integrated by the multi-channel VEGAS baseline; unweighting efficiency of the final pass with the
//    integrator's default maximum weight (median of 100 bootstrap maxima per channel, channels combined by
//    their integral share). Budgets: NISGEN_XSEC_SCALE multiplies every point count (default 1),
//    NISGEN_XSEC_MAX_JETS (default 4), NISGEN_XSEC_SEED (default 0) shifts the seeds. The PDF set is looked for in <repo>/.venv and LHAPDF_DATA_PATH.
// 2. Phase-space generation: per n the time per point of the channel maps (averaged over the channel set), of
//    evaluating every channel's density at a point (what multi-channel weights need), and of the full integrand
//    with a toy PDF and a constant |M|² (so the matrix element costs nothing).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amplitudes
import Cluster
import Foundation
import Integrator
import Kinematics
import Numerics
import PDF
import PhaseSpace
import Physics

enum CrossSectionBench {
    struct FlatPDF: PartonDensity {
        var name: String { "bench-toy" }
        var lhapdfID: Int? { nil }
        func xfx(_ pid: Int, x: Double, q: Double) -> Double { pow(x, 0.3) * pow(1 - x, 4) }
        func alphaS(_ q: Double) -> Double { 0.118 }
    }
    struct FlatME: MatrixElement {
        var legCount: Int
        func squared(_ p: [FourVector], alphaS: Double) -> Double { 1e-6 }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
    }

    /// Right-aligned cell without Foundation.
    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
    /// Three decimals without Foundation.
    static func fixed(_ x: Double) -> String {
        let r = (x * 1000).rounded()
        let whole = Int(r / 1000), frac = Int(abs(r).truncatingRemainder(dividingBy: 1000))
        let f = String(frac)
        return "\(whole)." + String(repeating: "0", count: 3 - f.count) + f
    }

    static func run() {
        crossSections()
        print("")
        phaseSpaceTiming()
    }

    /// `<repo>/.venv`: the package root is three levels above this file.
    static let venv: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/.venv"
    }()

    /// VEGAS budget per multiplicity: adaptation iterations × points (summed over channels), the final pass,
    /// and the grid bins per dimension: fewer bins where few points per channel and iteration are affordable
    /// (a 64-bin grid adapted on a few hundred points follows noise and collapses onto lucky points).
    static let budgets: [(iterations: Int, points: Int, final: Int, bins: Int)] = [
        (5, 50_000, 500_000, 64), (5, 50_000, 400_000, 64), (5, 30_000, 200_000, 64), (5, 15_000, 60_000, 32), (4, 6_000, 24_000, 16),
    ]

    /// Significant digits without Foundation formatting quirks.
    static func sig(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite, x != 0 else { return "\(x)" }
        let e = Int(floor(log10(abs(x))))
        let decimals = max(digits - 1 - e, 0)
        return String(format: "%.\(decimals)f", x)
    }

    static func crossSections() {
        let env = ProcessInfo.processInfo.environment
        let scale = Double(env["NISGEN_XSEC_SCALE"] ?? "1") ?? 1
        let maxJets = min(Int(env["NISGEN_XSEC_MAX_JETS"] ?? "4") ?? 4, 4)
        let seedOffset = UInt64(env["NISGEN_XSEC_SEED"] ?? "0") ?? 0
        print("cross sections: p p > e+ ve + n j, 13 TeV, NNPDF23_lo_as_0130_qed, exact |M|², Σm_T/2, pT,j > 20, |eta_j| < 5, dR_jj > 0.4")
        print("VEGAS multi-channel baseline (one thread; bins/dim: 64 for n ≤ 2, 32 for n = 3, 16 for n = 4); unweighting: bootstrap-median w_max (integrator default)")
        print("")
        print("| n | channels | groups | σ [pb] | δσ [pb] | δσ/σ | unweighting eff. | calls (adapt + final) | wall [s] | |M|² µs/pt (all groups) | integrand µs/pt |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for n in 0...maxJets {
            do {
                var setup = CollisionSetup()
                setup.process = "p p > e+ ve" + String(repeating: " j", count: n)
                setup.pdfSearchPaths = [venv]
                setup.cuts = n == 0 ? .none : Cuts()
                let integrand = try setup.makeIntegrand()
                // |M|² alone on mapped points of channel 0 (all groups, every slot order the integrand evaluates).
                var rng = RandomStream(seed: 99, stream: UInt64(n))
                var y = MatrixD(rows: n >= 3 ? 200 : 2000, cols: integrand.dimension)
                rng.fillUniform(&y.storage)
                var batch = MappedBatch()
                integrand.channels[0].map(points: y, into: &batch)
                var sink = 0.0, used = 0
                let tm = now()
                for i in 0..<y.rows where batch.weight[i] > 0 {
                    let p = batch.point(i)
                    for g in integrand.groups {
                        sink += g.matrixElement.squared(g.members[0].legOrder.map { p[$0] }, alphaS: 0.118)
                    }
                    used += 1
                }
                let meTime = (now() - tm) / Double(max(used, 1))
                let b = budgets[n]
                let iterations = b.iterations, points = max(Int(Double(b.points) * scale), 1000), final = max(Int(Double(b.final) * scale), 1000)
                let t0 = now()
                let vegas = try VegasBaseline(integrand: integrand, bins: b.bins, seed: 2024 &+ UInt64(n) &+ 1000 &* seedOffset, communicator: SerialCommunicator())
                vegas.adapt(iterations: iterations, pointsPerIteration: points)
                let result = vegas.integrate(points: final, batchSize: 10_000)
                let wall = now() - t0
                let calls = vegas.integrandCalls
                let cells = ["\(n)", "\(integrand.channelCount)", "\(integrand.groups.count)", sig(result.integral, 5), sig(result.error, 3),
                             sig(result.error / result.integral, 2), sig(result.unweightingEfficiency, 3),
                             "\(calls - result.integrandCalls) + \(result.integrandCalls)", sig(wall, 3), sig(meTime * 1e6, 3) + (sink.isNaN ? " (nan)" : ""),
                             sig(wall / Double(calls) * 1e6, 3)]
                print("| " + cells.joined(separator: " | ") + " |")
            } catch {
                print("| \(n) | failed: \(error) |")
            }
        }
    }

    static func phaseSpaceTiming() {
        print("cross-section benchmark: phase-space generation, W + n jets, √s = 13 TeV, default cuts (one thread)")
        print(" n  channels  dim  map µs/pt   valid  all-densities µs/pt  integrand µs/pt  w/o prior+feat")
        print("    (integrand: toy PDF, constant |M|²; last column without prior weights and features)")
        let model = StandardModel()
        for n in 0...4 {
            do {
                let cuts = n == 0 ? Cuts.none : Cuts()
                let limits = try cuts.channelLimits(sqrtS: 13000, model: model, jets: n)
                let channels = try WJetsChannels.make(jets: n, limits: limits)
                let d = channels[0].dimension
                let points = 50_000
                var rng = RandomStream(seed: 7, stream: UInt64(n))
                var y = MatrixD(rows: points, cols: d)
                rng.fillUniform(&y.storage)
                var batch = MappedBatch()
                var valid = 0
                let t0 = now()
                for ch in channels {
                    ch.map(points: y, into: &batch)
                    valid += batch.weight.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
                }
                let mapTime = (now() - t0) / Double(points * channels.count)
                // Densities of every channel at points of channel 0.
                channels[0].map(points: y, into: &batch)
                let sample = min(points, 10_000)
                var sink = 0.0, used = 0
                let t1 = now()
                for i in 0..<sample where batch.weight[i] > 0 {
                    used += 1
                    let p = batch.point(i)
                    for ch in channels { sink += ch.density(ofMomenta: p, x1: batch.x1[i], x2: batch.x2[i]) }
                }
                let densTime = (now() - t1) / Double(max(used, 1))
                let outgoing = [-11, 12] + [Int](repeating: 21, count: n)
                let group = SubprocessGroup(members: [(Subprocess(incoming: [2, -1], outgoing: outgoing), Array(0..<(4 + n)))],
                                            matrixElement: FlatME(legCount: 4 + n))
                let integrand = try HadronicIntegrand(sqrtS: 13000, pdf: FlatPDF(), groups: [group], channels: channels, cuts: cuts)
                var result = ChannelEvaluation()
                let t2 = now()
                integrand.evaluate(channel: 0, points: y, into: &result)
                let intTime = (now() - t2) / Double(points)
                let bare = try HadronicIntegrand(sqrtS: 13000, pdf: FlatPDF(), groups: [group], channels: channels, cuts: cuts,
                                                 featureChannel: nil, priorWeighting: .none)
                let t3 = now()
                bare.evaluate(channel: 0, points: y, into: &result)
                let bareTime = (now() - t3) / Double(points)
                let frac = Double(valid) / Double(points * channels.count)
                let cells: [String] = [pad("\(n)", 2), pad("\(channels.count)", 10), pad("\(d)", 5),
                                       pad(fixed(mapTime * 1e6), 12), pad(fixed(frac), 8), pad(fixed(densTime * 1e6), 22),
                                       pad(fixed(intTime * 1e6), 17), pad(fixed(bareTime * 1e6), 14)]
                print(cells.joined() + (sink.isNaN ? " (nan)" : ""))
            } catch {
                print("n = \(n): \(error)")
            }
        }
    }
}
