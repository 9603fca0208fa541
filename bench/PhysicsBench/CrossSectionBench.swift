// Phase-space generation speed for W + n jets (n = 0…4), release build, one thread.
// Per n: time per point of the channel maps (averaged over the channel set), of evaluating every channel's
// density at a point (what multi-channel weights need), and of the full integrand with a toy PDF and a
// constant |M|² (so the matrix element costs nothing). Cross sections with real matrix elements come later.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amplitudes
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
