// A product of Breit–Wigner (Cauchy) peaks, one per coordinate: f = Π_d (Γ_d/2π)/((x_d−m_d)² + Γ_d²/4).
// Channel c maps only coordinate c onto its resonance (the way a phase-space channel maps one propagator)
// and leaves the others flat, so each channel alone is poor and the channel weights plus flows must combine them.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics

public struct BreitWignerProduct: ToyIntegrand, Sendable {
    public let name = "breitwigner"
    public let masses: [Double]
    public let widths: [Double]
    let maps: [PeakMapping]
    /// Multi-channel prior α⁰_c = g_c(x_c)/Σ_j g_j(x_j) from the channels' one-coordinate mappings.
    public let usesPriorWeights: Bool

    public var dimension: Int { masses.count }
    public var channelCount: Int { masses.count }
    public var featureCount: Int { masses.count }

    public init(masses: [Double], widths: [Double], usesPriorWeights: Bool = true) throws {
        try requireToy(!masses.isEmpty, "breitwigner: need at least one mass")
        try requireToy(masses.count == widths.count,
                       "breitwigner: \(masses.count) masses but \(widths.count) widths")
        try requireToy(masses.allSatisfy { $0 > 0 && $0 < 1 }, "breitwigner: masses must lie inside (0,1)")
        try requireToy(widths.allSatisfy { $0 > 0 && $0.isFinite }, "breitwigner: widths must be > 0")
        self.masses = masses
        self.widths = widths
        self.usesPriorWeights = usesPriorWeights
        maps = zip(masses, widths).map { PeakMapping(centre: $0, width: $1 / 2) }
    }

    /// Π_d (1/π)[atan((1−m_d)/(Γ_d/2)) + atan(m_d/(Γ_d/2))].
    public var exactIntegral: Double {
        zip(masses, widths).reduce(1) { $0 * (atan((1 - $1.0) / ($1.1 / 2)) + atan($1.0 / ($1.1 / 2))) / Double.pi }
    }

    public func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
        precondition(channel >= 0 && channel < channelCount && points.cols == dimension)
        let n = points.rows, dim = dimension
        var value = [Double](repeating: 0, count: n)
        var x = points
        var prior = MatrixD(rows: usesPriorWeights ? n : 0, cols: usesPriorWeights ? dim : 0)
        for i in 0..<n {
            let (xc, jacobian) = maps[channel].map(points.storage[i &* dim &+ channel])
            x.storage[i &* dim &+ channel] = xc
            var f = jacobian
            for d in 0..<dim {
                let t = x.storage[i &* dim &+ d] - masses[d], g = widths[d]
                f *= g / (2 * Double.pi) / (t * t + g * g / 4)
            }
            value[i] = f
            if usesPriorWeights {
                var sum = 0.0
                for d in 0..<dim {
                    let g = maps[d].density(x.storage[i &* dim &+ d])
                    prior.storage[i &* dim &+ d] = g
                    sum += g
                }
                for d in 0..<dim { prior.storage[i &* dim &+ d] /= sum }
            }
        }
        result.value = value
        result.features = x
        result.priorWeights = prior
    }
}
