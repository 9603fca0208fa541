// Monte Carlo helicity sampling behind the plain `MatrixElement` seam. The integrand asks |M|² of a point
// without handing over random numbers, so the helicity configuration is picked by a hash of the point's
// momenta: u = hash(p) ∈ [0, 1), then `TreeMatrixElement.squared(_:alphaS:sampledHelicity:)` evaluates the
// configuration ⌊u N⌋ alone times N. The hash scrambles every bit of every momentum component, so u is
// uniform and unrelated to where the point lies at any scale on which |M_h|² varies: integrated over phase
// space the estimate has the exact helicity sum as its mean, with extra variance, at ~1/N of the cost.
// Deterministic per point (the same point always gives the same value), so re-evaluation is reproducible.
import Amplitudes
import Kinematics

public struct HelicitySampledMatrixElement: MatrixElement {
    public let exact: TreeMatrixElement
    public var legCount: Int { exact.legCount }
    /// Helicity configurations one exact evaluation sums (the cost saved per point is about this factor).
    public var helicityCount: Int { exact.helicityCount }

    public init(_ exact: TreeMatrixElement) { self.exact = exact }

    public func squared(_ momenta: [FourVector], alphaS: Double) -> Double {
        exact.squared(momenta, alphaS: alphaS, sampledHelicity: Self.unitHash(momenta))
    }

    /// A number in [0, 1) from the bit patterns of all momentum components (SplitMix64 finaliser per word).
    public static func unitHash(_ momenta: [FourVector]) -> Double {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ z0: UInt64) -> UInt64 {
            var z = z0 &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for p in momenta {
            h = mix(h ^ p.e.bitPattern)
            h = mix(h ^ p.px.bitPattern)
            h = mix(h ^ p.py.bitPattern)
            h = mix(h ^ p.pz.bitPattern)
        }
        return Double(h >> 11) * 0x1.0p-53
    }
}

extension SubprocessGroup {
    /// The same group with its matrix element helicity-sampled (groups whose element is not a
    /// `TreeMatrixElement` are returned unchanged).
    public func helicitySampled() -> SubprocessGroup {
        guard let tree = matrixElement as? TreeMatrixElement else { return self }
        return SubprocessGroup(members: members, matrixElement: HelicitySampledMatrixElement(tree))
    }
}

extension HadronicIntegrand {
    /// The same integrand with every group's |M|² helicity-sampled: an unbiased, noisier and (at n = 4) ~5×
    /// cheaper stand-in, meant for the adaptation and training phases; measure with the exact one.
    public func withSampledHelicities() throws -> HadronicIntegrand {
        try HadronicIntegrand(sqrtS: sqrtS, pdf: pdf, groups: groups.map { $0.helicitySampled() }, channels: channels,
                              cuts: cuts, scales: scales, model: model, featureChannel: featureChannel,
                              priorWeighting: priorWeighting)
    }
}
