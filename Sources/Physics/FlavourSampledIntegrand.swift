// The partonic subprocess as one more integration dimension. `HadronicIntegrand` sums every matrix-element
// call (subprocess group × leg order, with its summed luminosities) at each point: lowest variance, but every
// point pays for all calls. Here the last coordinate u ∈ [0,1) of a point of dimension d + 1 picks ONE call k
// from fixed selection probabilities p_k (intervals of width p_k), and the value is that call's contribution
// divided by p_k — an unbiased estimator of the summed integrand with 1/K of the matrix-element cost. A flow
// in front of the channel sees u like any other coordinate, so it learns the flavour distribution (the step
// density on u) together with the kinematics: the "discrete dimension learned with the rest" option.
// Prior channel weights are the kinematic ones of the base integrand; features are the base features plus u.
import Amplitudes
import Kinematics
import Numerics
import PDF
import PhaseSpace

public struct FlavourSampledIntegrand: Integrand, Sendable {
    public let base: HadronicIntegrand
    /// Selection probability of each matrix-element call (sums to 1).
    public let probabilities: [Double]
    private let upperEdges: [Double]

    public var dimension: Int { base.dimension + 1 }
    public var channelCount: Int { base.channelCount }
    public var featureCount: Int { base.featureCount > 0 ? base.featureCount + 1 : 0 }
    /// Number of matrix-element calls the summed integrand makes per point.
    public var callCount: Int { base.table.calls.count }

    /// `probabilities` nil: uniform over the calls. Throws on a wrong count, negative or all-zero entries.
    public init(base: HadronicIntegrand, probabilities: [Double]? = nil) throws {
        let k = base.table.calls.count
        let p = probabilities ?? [Double](repeating: 1, count: k)
        guard p.count == k else {
            throw PhysicsError.invalidProcess("flavour sampling: \(p.count) probabilities for \(k) matrix-element calls")
        }
        guard p.allSatisfy({ $0 >= 0 && $0.isFinite }), p.reduce(0, +) > 0 else {
            throw PhysicsError.invalidProcess("flavour sampling: probabilities must be finite, ≥ 0 and not all zero")
        }
        let total = p.reduce(0, +)
        self.base = base
        self.probabilities = p.map { $0 / total }
        var edges = [Double](), acc = 0.0
        for q in self.probabilities { acc += q; edges.append(acc) }
        edges[edges.count - 1] = 1
        upperEdges = edges
    }

    /// The call selected by u ∈ [0, 1) (never one with probability 0).
    @inline(__always)
    func call(for u: Double) -> Int {
        var k = 0
        while k < upperEdges.count - 1 && (u >= upperEdges[k] || probabilities[k] == 0) { k &+= 1 }
        return k
    }

    /// Selection probabilities from `points` uniform points of channel 0 (any channel covers the cut region):
    /// p_k ∝ √⟨φ_k²⟩ over the points passing the cuts, φ_k = f_k/f the call's fraction at the point, floored at
    /// `floor`/K so every call stays reachable (unbiased for any p > 0). Per-point fractions, not weight-averaged
    /// shares: a few large weights would otherwise decide p, and a call whose share they happen to miss gets a
    /// tiny p and huge weights. (For flat weights Σ_k ⟨φ_k²⟩/p_k, the variance factor, is minimal at p ∝ √⟨φ²⟩.)
    public static func sharesProbabilities(of base: HadronicIntegrand, points: Int = 5000, seed: UInt64 = 7,
                                           floor: Double = 0.2) -> [Double] {
        var rng = RandomStream(seed: seed, stream: 0xF1A7)
        var y = MatrixD(rows: points, cols: base.dimension)
        rng.fillUniform(&y.storage)
        let moments = callFractionMoments(of: base, channel: 0, points: y)
        let k = Double(moments.count)
        let root = moments.map { $0.squareRoot() }
        let total = root.reduce(0, +)
        guard total > 0 else { return [Double](repeating: 1 / k, count: moments.count) }
        return root.map { max($0 / total, floor / k) }
    }

    /// Σ over the points passing the cuts of φ_k² = (f_k/f)², per matrix-element call k.
    public static func callFractionMoments(of base: HadronicIntegrand, channel: Int, points: MatrixD) -> [Double] {
        var batch = MappedBatch()
        base.channels[channel].map(points: points, into: &batch)
        let legs = 4 + base.partons
        var moments = [Double](repeating: 0, count: base.table.calls.count)
        var point = [FourVector](repeating: .zero, count: legs)
        var scratch = HadronicIntegrand.Scratch(table: base.table, legs: legs, groups: base.groups)
        for i in 0..<points.rows where batch.weight[i] > 0 && batch.weight[i].isFinite {
            for l in 0..<legs { point[l] = batch.momenta[i &* legs &+ l] }
            let r = point.withUnsafeBufferPointer {
                base.physics($0, x1: batch.x1[i], x2: batch.x2[i], scratch: &scratch, recordMembers: true)
            }
            let total = scratch.contributions.reduce(0, +)
            guard r.f > 0, r.f.isFinite, total > 0 else { continue }
            for (j, c) in base.table.calls.enumerated() {
                var s = 0.0
                for m in c.members { s += scratch.contributions[m] }
                moments[j] += (s / total) * (s / total)
            }
        }
        return moments
    }

    public func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
        let n = points.rows, d = base.dimension, legs = 4 + base.partons
        var kinematic = MatrixD(rows: n, cols: d)
        for i in 0..<n { for j in 0..<d { kinematic.storage[i &* d &+ j] = points.storage[i &* (d &+ 1) &+ j] } }
        var batch = MappedBatch()
        base.channels[channel].map(points: kinematic, into: &batch)
        let c = channelCount, usesPrior = base.usesPriorWeights
        result.value = [Double](repeating: 0, count: n)
        result.priorWeights = MatrixD(rows: usesPrior ? n : 0, cols: usesPrior ? c : 0)
        result.features = MatrixD(rows: featureCount > 0 ? n : 0, cols: featureCount)
        var point = [FourVector](repeating: .zero, count: legs)
        var me = [FourVector](repeating: .zero, count: legs)
        let table = base.table, pdf = base.pdf
        let buffers = base.groups.map { $0.matrixElement.makeBuffers() }
        for i in 0..<n {
            let u = points.storage[i &* (d &+ 1) &+ d]
            let w = batch.weight[i]
            var usable = w > 0 && w.isFinite
            if usable {
                for l in 0..<legs {
                    let q = batch.momenta[i &* legs &+ l]
                    point[l] = q
                    usable = usable && q.e.isFinite && q.px.isFinite && q.py.isFinite && q.pz.isFinite
                }
            }
            if usable && point.withUnsafeBufferPointer({ base.cuts.passes($0, partons: base.partons) }) {
                let (muR, muF) = point.withUnsafeBufferPointer { base.scales.scales($0, partons: base.partons, wMass: base.model.mW) }
                let x1 = batch.x1[i], x2 = batch.x2[i]
                let k = call(for: u)
                let selected = table.calls[k]
                var lum = 0.0
                for m in selected.members {
                    lum += pdf.xfx(table.pdgIDs[table.beam1[m]], x: x1, q: muF) / x1
                        * pdf.xfx(table.pdgIDs[table.beam2[m]], x: x2, q: muF) / x2
                }
                if lum != 0 {
                    for l in 0..<selected.slots.count { me[l] = point[selected.slots[l]] }
                    let m2 = base.groups[selected.group].matrixElement.squared(me, alphaS: pdf.alphaS(muR),
                                                                                 buffers: buffers[selected.group])
                    let sHat = x1 * x2 * base.sqrtS * base.sqrtS
                    let v = lum * m2 / (2 * sHat) * PhaseSpaceConstants.gevMinus2ToPb * w / probabilities[k]
                    result.value[i] = v.isFinite ? v : 0
                }
            }
            if usesPrior {
                result.priorWeights.storage.withUnsafeMutableBufferPointer { all in
                    let row = UnsafeMutableBufferPointer(rebasing: all[(i &* c)..<((i &+ 1) &* c)])
                    if usable { priorChannelWeights(base.channels, momenta: point, into: row) }
                    else { for k in 0..<c { row[k] = 1 / Double(c) } }
                }
            }
            if let fc = base.featureChannel {
                let inv = usable ? base.channels[fc].inverse(ofMomenta: point, x1: batch.x1[i], x2: batch.x2[i]) : nil
                for k in 0..<d {
                    let v = inv?[k] ?? kinematic[i, k]
                    result.features[i, k] = v.isFinite ? min(max(v, 0), 1) : 0.5
                }
                result.features[i, d] = u
            }
        }
    }
}
