// Minkowski four-vectors (E, px, py, pz), metric (+, -, -, -), GeV.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FourVector: Equatable, Sendable, CustomStringConvertible {
    public var e: Double, px: Double, py: Double, pz: Double

    @inlinable public init(_ e: Double, _ px: Double, _ py: Double, _ pz: Double) {
        self.e = e; self.px = px; self.py = py; self.pz = pz
    }
    public static let zero = FourVector(0, 0, 0, 0)

    @inlinable public static func + (a: FourVector, b: FourVector) -> FourVector { FourVector(a.e + b.e, a.px + b.px, a.py + b.py, a.pz + b.pz) }
    @inlinable public static func - (a: FourVector, b: FourVector) -> FourVector { FourVector(a.e - b.e, a.px - b.px, a.py - b.py, a.pz - b.pz) }
    @inlinable public static prefix func - (a: FourVector) -> FourVector { FourVector(-a.e, -a.px, -a.py, -a.pz) }
    @inlinable public static func * (s: Double, a: FourVector) -> FourVector { FourVector(s * a.e, s * a.px, s * a.py, s * a.pz) }
    @inlinable public static func += (a: inout FourVector, b: FourVector) { a = a + b }
    @inlinable public static func -= (a: inout FourVector, b: FourVector) { a = a - b }

    /// Minkowski product a·b.
    @inlinable public func dot(_ b: FourVector) -> Double { e * b.e - px * b.px - py * b.py - pz * b.pz }
    @inlinable public var m2: Double { dot(self) }
    /// Invariant mass, negative for spacelike vectors (sign-preserving).
    public var mass: Double { let s = m2; return s >= 0 ? s.squareRoot() : -(-s).squareRoot() }
    @inlinable public var pt2: Double { px * px + py * py }
    public var pt: Double { pt2.squareRoot() }
    public var p: Double { (px * px + py * py + pz * pz).squareRoot() }
    public var phi: Double { atan2(py, px) }
    /// Rapidity y = ½ ln((E+pz)/(E−pz)).
    public var rapidity: Double { 0.5 * log((e + pz) / (e - pz)) }
    /// Pseudorapidity η = −ln tan(θ/2).
    public var eta: Double {
        let pp = p
        if pp == abs(pz) { return pz >= 0 ? .infinity : -.infinity }
        return 0.5 * log((pp + pz) / (pp - pz))
    }
    /// Transverse mass √(m² + pT²) (the MadGraph-style mT of one particle).
    public var mt: Double { max(m2 + pt2, 0).squareRoot() }

    /// Boost by velocity β (|β| < 1).
    public func boosted(beta bx: Double, _ by: Double, _ bz: Double) -> FourVector {
        let b2 = bx * bx + by * by + bz * bz
        if b2 == 0 { return self }
        let gamma = 1 / (1 - b2).squareRoot()
        let bp = bx * px + by * py + bz * pz
        let g2 = (gamma - 1) / b2
        let ee = gamma * (e + bp)
        let f = g2 * bp + gamma * e
        return FourVector(ee, px + f * bx, py + f * by, pz + f * bz)
    }
    /// Boost into the rest frame of `q` (inverse = `boosted(fromRestFrameOf:)`).
    public func boosted(toRestFrameOf q: FourVector) -> FourVector { boosted(beta: -q.px / q.e, -q.py / q.e, -q.pz / q.e) }
    /// Boost from the rest frame of `q` into the frame where q has its momentum.
    public func boosted(fromRestFrameOf q: FourVector) -> FourVector { boosted(beta: q.px / q.e, q.py / q.e, q.pz / q.e) }

    public var description: String { "(\(e), \(px), \(py), \(pz))" }
}

/// ΔR = √(Δy² + Δφ²) with pseudorapidity (massless partons: y = η).
public func deltaR(_ a: FourVector, _ b: FourVector) -> Double {
    let deta = a.eta - b.eta
    var dphi = abs(a.phi - b.phi)
    if dphi > Double.pi { dphi = 2 * Double.pi - dphi }
    return (deta * deta + dphi * dphi).squareRoot()
}

/// Transverse mass of a two-body system such as (ℓ, ν): √(2 pT₁ pT₂ (1 − cos Δφ)).
public func transverseMass(_ a: FourVector, _ b: FourVector) -> Double {
    let v = 2 * (a.pt * b.pt - a.px * b.px - a.py * b.py)
    return max(v, 0).squareRoot()
}
