// One-dimensional maps u ∈ [0,1] → x ∈ [lower, upper] for invariants (masses², p_T², τ) with their exact
// densities g(x) = du/dx. Both are invertible, so foreign points get their density too.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-dimensional importance map with an exact, normalised density on [lower, upper].
public protocol InvariantMap: Sendable {
    var lower: Double { get }
    var upper: Double { get }
    /// x(u) for u ∈ [0, 1].
    func value(_ u: Double) -> Double
    /// u(x), the inverse of `value`.
    func inverse(_ x: Double) -> Double
    /// g(x) = du/dx, normalised: ∫ g dx = 1 over [lower, upper]; 0 outside.
    func density(_ x: Double) -> Double
}

/// Density ∝ 1/(x + c)^ν on [lower, upper]: massless s-channel propagators (ν ≈ 1, c = 0) and p_T²
/// spectra (ν = 1 gives the logarithmic map). Needs lower + c > 0 when ν ≥ 1.
public struct PowerLawMap: InvariantMap, Equatable {
    public let lower: Double
    public let upper: Double
    public let exponent: Double
    public let offset: Double
    // Precomputed ends of the primitive F(x) = (x+c)^(1−ν) (or ln(x+c) for ν = 1).
    private let fLower: Double
    private let fRange: Double
    private let isLog: Bool

    public init(lower: Double, upper: Double, exponent: Double, offset: Double = 0) throws {
        guard lower.isFinite, upper.isFinite, lower >= 0, upper > lower else {
            throw PhaseSpaceError.invalidRange("power-law map needs 0 ≤ lower < upper, got [\(lower), \(upper)]")
        }
        guard exponent >= 0, offset >= 0 else {
            throw PhaseSpaceError.invalidRange("power-law map needs exponent ≥ 0 and offset ≥ 0")
        }
        if exponent >= 1 && lower + offset <= 0 {
            throw PhaseSpaceError.invalidRange("power-law map with exponent \(exponent) ≥ 1 needs lower + offset > 0")
        }
        self.lower = lower; self.upper = upper; self.exponent = exponent; self.offset = offset
        isLog = exponent == 1
        if isLog {
            fLower = log(lower + offset)
            fRange = log(upper + offset) - fLower
        } else {
            let q = 1 - exponent
            fLower = pow(lower + offset, q)
            fRange = pow(upper + offset, q) - fLower
        }
    }

    @inline(__always) public func value(_ u: Double) -> Double {
        let f = fLower + u * fRange
        let x = isLog ? exp(f) - offset : pow(f, 1 / (1 - exponent)) - offset
        return min(max(x, lower), upper)
    }

    @inline(__always) public func inverse(_ x: Double) -> Double {
        let f = isLog ? log(x + offset) : pow(x + offset, 1 - exponent)
        return (f - fLower) / fRange
    }

    @inline(__always) public func density(_ x: Double) -> Double {
        guard x >= lower && x <= upper else { return 0 }
        if isLog { return 1 / ((x + offset) * fRange) }
        return (1 - exponent) * pow(x + offset, -exponent) / fRange
    }
}

/// Breit–Wigner (arctan) map for an s-channel resonance of mass M and width Γ:
/// x = M² + MΓ tan θ with θ uniform, density g(x) = MΓ / ((θ₊ − θ₋)((x − M²)² + M²Γ²)).
public struct BreitWignerMap: InvariantMap, Equatable {
    public let lower: Double
    public let upper: Double
    public let mass: Double
    public let width: Double
    private let thetaLower: Double
    private let thetaRange: Double

    public init(mass: Double, width: Double, lower: Double, upper: Double) throws {
        guard mass > 0, width > 0 else {
            throw PhaseSpaceError.invalidRange("Breit–Wigner map needs mass > 0 and width > 0, got \(mass), \(width)")
        }
        guard lower.isFinite, upper.isFinite, lower >= 0, upper > lower else {
            throw PhaseSpaceError.invalidRange("Breit–Wigner map needs 0 ≤ lower < upper, got [\(lower), \(upper)]")
        }
        self.mass = mass; self.width = width; self.lower = lower; self.upper = upper
        let mg = mass * width, m2 = mass * mass
        thetaLower = atan((lower - m2) / mg)
        thetaRange = atan((upper - m2) / mg) - thetaLower
    }

    @inline(__always) public func value(_ u: Double) -> Double {
        let x = mass * mass + mass * width * tan(thetaLower + u * thetaRange)
        return min(max(x, lower), upper)
    }

    @inline(__always) public func inverse(_ x: Double) -> Double {
        (atan((x - mass * mass) / (mass * width)) - thetaLower) / thetaRange
    }

    @inline(__always) public func density(_ x: Double) -> Double {
        guard x >= lower && x <= upper else { return 0 }
        let d = x - mass * mass, mg = mass * width
        return mg / (thetaRange * (d * d + mg * mg))
    }
}

/// Power-law map with ranges known only per point (t-channel and nested mass ranges): density
/// ∝ 1/(x + c)^ν on [a, b], the same law as `PowerLawMap` without its precomputation or validation.
/// Callers guarantee b > a ≥ 0 and a + c > 0 when ν ≥ 1.
@usableFromInline
enum DynamicPowerLaw {
    @inline(__always) static func primitive(_ x: Double, _ nu: Double, _ c: Double) -> Double {
        nu == 1 ? log(x + c) : pow(x + c, 1 - nu)
    }
    @inline(__always) static func value(_ u: Double, lower a: Double, upper b: Double, exponent nu: Double, offset c: Double) -> Double {
        let fa = primitive(a, nu, c), fb = primitive(b, nu, c)
        let f = fa + u * (fb - fa)
        let x = nu == 1 ? exp(f) - c : pow(f, 1 / (1 - nu)) - c
        return min(max(x, a), b)
    }
    @inline(__always) static func inverse(_ x: Double, lower a: Double, upper b: Double, exponent nu: Double, offset c: Double) -> Double {
        let fa = primitive(a, nu, c), fb = primitive(b, nu, c)
        return (primitive(x, nu, c) - fa) / (fb - fa)
    }
    @inline(__always) static func density(_ x: Double, lower a: Double, upper b: Double, exponent nu: Double, offset c: Double) -> Double {
        guard x >= a && x <= b else { return 0 }
        let fa = primitive(a, nu, c), fb = primitive(b, nu, c)
        return nu == 1 ? 1 / ((x + c) * (fb - fa)) : (1 - nu) * pow(x + c, -nu) / (fb - fa)
    }
}
