// Hadronic phase-space channels: y ∈ [0,1]^d → (x₁, x₂, momenta) with the exact Jacobian.
import Kinematics
import Numerics

/// One mapped point: momentum fractions and the Jacobian with respect to dx₁ dx₂ dΦₙ (see Conventions.swift).
public struct MappedPoint: Sendable, Equatable {
    public var x1: Double
    public var x2: Double
    /// |∂(x₁, x₂, Φₙ)/∂y|; 0 marks a point outside the physical region (x > 1, below threshold, …).
    public var weight: Double
    public init(x1: Double, x2: Double, weight: Double) { self.x1 = x1; self.x2 = x2; self.weight = weight }
    public static let invalid = MappedPoint(x1: 0, x2: 0, weight: 0)
    /// Probability density per unit dx₁ dx₂ dΦₙ, 1/weight (0 for invalid points).
    public var density: Double { weight > 0 ? 1 / weight : 0 }
}

/// A hadronic channel. Momenta are written in slot order: p_a, p_b, then the `finalStateCount` outgoing
/// particles (for W + jets: ℓ, ν, partons).
public protocol PhaseSpaceChannel: Sendable {
    var name: String { get }
    var dimension: Int { get }
    var finalStateCount: Int { get }
    /// Maps one point; `momenta` must hold at least 2 + finalStateCount entries.
    func map(_ y: UnsafeBufferPointer<Double>, into momenta: inout [FourVector]) -> MappedPoint
    /// The density (per unit dx₁ dx₂ dΦₙ) with which this channel would produce the given point; 0 when the
    /// point lies outside its support. Needed for multi-channel weights of points from other channels.
    func density(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> Double
    /// The y that produces the point, or nil if the channel is not invertible there.
    func inverse(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> [Double]?
    /// Product of the propagator factors this channel is built around, for single-diagram-enhanced prior
    /// weights α⁰_c = F_c / Σ F (any common factor cancels).
    func propagatorFactor(ofMomenta momenta: [FourVector]) -> Double
}

/// A batch of mapped points in struct-of-arrays layout; reused across calls to avoid allocation.
public struct MappedBatch: Sendable {
    public private(set) var count = 0
    public private(set) var legs = 0
    /// count × legs momenta, point i at [i·legs ..< (i+1)·legs].
    public var momenta: [FourVector] = []
    public var x1: [Double] = []
    public var x2: [Double] = []
    public var weight: [Double] = []
    public init() {}

    public mutating func resize(count n: Int, legs l: Int) {
        count = n; legs = l
        if momenta.count != n * l { momenta = [FourVector](repeating: .zero, count: n * l) }
        if x1.count != n {
            x1 = [Double](repeating: 0, count: n); x2 = x1; weight = x1
        }
    }

    /// Momenta of point i as a fresh array (event records, tests).
    public func point(_ i: Int) -> [FourVector] { Array(momenta[(i * legs)..<((i + 1) * legs)]) }
}

extension PhaseSpaceChannel {
    public func inverse(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> [Double]? { nil }
    public func propagatorFactor(ofMomenta momenta: [FourVector]) -> Double { 1 }

    /// Maps every row of `points` (n × dimension) into `batch`.
    public func map(points: MatrixD, into batch: inout MappedBatch) {
        precondition(points.cols == dimension, "points have \(points.cols) columns, channel \(name) needs \(dimension)")
        let legs = 2 + finalStateCount
        batch.resize(count: points.rows, legs: legs)
        var scratch = [FourVector](repeating: .zero, count: legs)
        points.storage.withUnsafeBufferPointer { all in
            for i in 0..<points.rows {
                let row = UnsafeBufferPointer(rebasing: all[(i &* dimension)..<((i &+ 1) &* dimension)])
                let p = map(row, into: &scratch)
                batch.x1[i] = p.x1; batch.x2[i] = p.x2; batch.weight[i] = p.weight
                let base = i &* legs
                for k in 0..<legs { batch.momenta[base &+ k] = scratch[k] }
            }
        }
    }

    /// Convenience for single points given as an array.
    public func map(_ y: [Double]) -> (MappedPoint, [FourVector]) {
        var m = [FourVector](repeating: .zero, count: 2 + finalStateCount)
        let p = y.withUnsafeBufferPointer { map($0, into: &m) }
        return (p, m)
    }
}

/// Single-diagram-enhanced prior channel weights: α⁰_c(x) = F_c(x) / Σ_c' F_c'(x), written into `row`.
/// Falls back to uniform weights when every factor vanishes or one is not finite.
public func priorChannelWeights(_ channels: [any PhaseSpaceChannel], momenta: [FourVector],
                                into row: UnsafeMutableBufferPointer<Double>) {
    var total = 0.0
    for c in 0..<channels.count {
        let f = channels[c].propagatorFactor(ofMomenta: momenta)
        row[c] = f
        total += f
    }
    if total > 0 && total.isFinite {
        for c in 0..<channels.count { row[c] /= total }
    } else {
        for c in 0..<channels.count { row[c] = 1 / Double(channels.count) }
    }
}
