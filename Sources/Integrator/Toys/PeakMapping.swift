// A one-dimensional channel mapping that concentrates points around a peak: the inverse CDF of a Cauchy
// (Breit–Wigner) density truncated to [lower, upper]. It is what a hand-written phase-space channel does
// for a resonance, and gives the flows a realistic, imperfect starting point.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// y ∈ (0,1) ↦ x ∈ (lower, upper) with density ∝ 1/((x−centre)² + width²).
public struct PeakMapping: Sendable, Equatable {
    public let centre: Double
    public let width: Double
    public let lower: Double
    public let upper: Double
    let atanLower: Double
    let atanSpan: Double

    public init(centre: Double, width: Double, lower: Double = 0, upper: Double = 1) {
        self.centre = centre
        self.width = width
        self.lower = lower
        self.upper = upper
        atanLower = atan((lower - centre) / width)
        atanSpan = atan((upper - centre) / width) - atanLower
    }

    /// Returns x(y) and |dx/dy|.
    @inline(__always)
    public func map(_ y: Double) -> (x: Double, jacobian: Double) {
        let t = tan(atanLower + y * atanSpan)
        let x = min(max(centre + width * t, lower), upper)
        return (x, atanSpan * width * (1 + t * t))
    }

    /// The mapping's density g(x) = |dy/dx| = width / (span·(width² + (x−centre)²)) (0 outside [lower, upper]).
    @inline(__always)
    public func density(_ x: Double) -> Double {
        if x < lower || x > upper { return 0 }
        let t = x - centre
        return width / (atanSpan * (width * width + t * t))
    }

    /// The inverse map x ↦ y (used by tests).
    public func inverse(_ x: Double) -> Double {
        (atan((x - centre) / width) - atanLower) / atanSpan
    }
}
