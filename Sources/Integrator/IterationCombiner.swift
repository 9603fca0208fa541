// Combining independent estimates (iterations) of the same integral by inverse-variance weighting:
// Î = Σ(I_k/σ_k²) / Σ(1/σ_k²), σ̂ = (Σ 1/σ_k²)^{-1/2}, with χ²/dof as a consistency check.

public struct IterationCombiner: Sendable, Equatable {
    public private(set) var estimates: [(value: Double, error: Double)] = []

    public init() {}

    public static func == (a: IterationCombiner, b: IterationCombiner) -> Bool {
        a.estimates.elementsEqual(b.estimates) { $0.value == $1.value && $0.error == $1.error }
    }

    /// Estimates with zero error (for instance a channel that is identically zero) are skipped unless all are.
    public mutating func add(value: Double, error: Double) {
        precondition(error >= 0 && error.isFinite && value.isFinite, "IterationCombiner: invalid estimate")
        estimates.append((value, error))
    }

    public var value: Double {
        let weighted = estimates.filter { $0.error > 0 }
        guard !weighted.isEmpty else { return estimates.isEmpty ? 0 : estimates.map(\.value).reduce(0, +) / Double(estimates.count) }
        var sw = 0.0, swx = 0.0
        for e in weighted { let w = 1 / (e.error * e.error); sw += w; swx += w * e.value }
        return swx / sw
    }

    public var error: Double {
        var sw = 0.0
        for e in estimates where e.error > 0 { sw += 1 / (e.error * e.error) }
        return sw > 0 ? 1 / sw.squareRoot() : 0
    }

    /// χ² per degree of freedom of the estimates around the combined value (0 for one estimate).
    public var chiSquarePerDegreeOfFreedom: Double {
        let weighted = estimates.filter { $0.error > 0 }
        guard weighted.count > 1 else { return 0 }
        let m = value
        var chi2 = 0.0
        for e in weighted { let t = (e.value - m) / e.error; chi2 += t * t }
        return chi2 / Double(weighted.count - 1)
    }
}
