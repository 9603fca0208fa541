// Complex four-vectors and four-component Dirac spinors in the chiral (Weyl) basis:
// γ^μ = [[0, σ^μ], [σ̄^μ, 0]], σ^μ = (1, σ⃗), σ̄^μ = (1, −σ⃗), γ5 = diag(−1, −1, 1, 1); components 0, 1 are
// left-handed, 2, 3 right-handed, so P_L = (1 − γ5)/2 keeps components 0 and 1.
import Kinematics

/// A complex Minkowski vector (contravariant components), metric (+, −, −, −).
public struct CVector: Sendable, Equatable {
    public var t: Complex, x: Complex, y: Complex, z: Complex
    @inlinable public init(_ t: Complex, _ x: Complex, _ y: Complex, _ z: Complex) { self.t = t; self.x = x; self.y = y; self.z = z }
    @inlinable public init(_ p: FourVector) { t = Complex(p.e); x = Complex(p.px); y = Complex(p.py); z = Complex(p.pz) }
    public static let zero = CVector(.zero, .zero, .zero, .zero)
    /// Bilinear Minkowski product (no complex conjugation).
    @inlinable @inline(__always) public func dot(_ b: CVector) -> Complex { t * b.t - x * b.x - y * b.y - z * b.z }
    @inlinable @inline(__always) public func dot(_ p: FourVector) -> Complex {
        Complex(t.re * p.e - x.re * p.px - y.re * p.py - z.re * p.pz, t.im * p.e - x.im * p.px - y.im * p.py - z.im * p.pz)
    }
    @inlinable @inline(__always) public static func + (a: CVector, b: CVector) -> CVector { CVector(a.t + b.t, a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable @inline(__always) public static func - (a: CVector, b: CVector) -> CVector { CVector(a.t - b.t, a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable @inline(__always) public static func * (s: Complex, a: CVector) -> CVector { CVector(s * a.t, s * a.x, s * a.y, s * a.z) }
    @inlinable @inline(__always) public static func * (s: Double, a: CVector) -> CVector { CVector(s * a.t, s * a.x, s * a.y, s * a.z) }
}

extension FourVector {
    /// A complex number times a real vector.
    @inlinable @inline(__always) public static func * (c: Complex, p: FourVector) -> CVector {
        CVector(Complex(c.re * p.e, c.im * p.e), Complex(c.re * p.px, c.im * p.px), Complex(c.re * p.py, c.im * p.py), Complex(c.re * p.pz, c.im * p.pz))
    }
}

/// A Dirac spinor, used both as a column (ψ) and as a row (ψ̄) object; which one is implied by context.
public struct Spinor: Sendable, Equatable {
    public var s0: Complex, s1: Complex, s2: Complex, s3: Complex
    @inlinable public init(_ s0: Complex, _ s1: Complex, _ s2: Complex, _ s3: Complex) { self.s0 = s0; self.s1 = s1; self.s2 = s2; self.s3 = s3 }
    public static let zero = Spinor(.zero, .zero, .zero, .zero)
    @inlinable @inline(__always) public static func + (a: Spinor, b: Spinor) -> Spinor { Spinor(a.s0 + b.s0, a.s1 + b.s1, a.s2 + b.s2, a.s3 + b.s3) }
    @inlinable @inline(__always) public static func * (c: Complex, a: Spinor) -> Spinor { Spinor(c * a.s0, c * a.s1, c * a.s2, c * a.s3) }
    @inlinable @inline(__always) public static func * (c: Double, a: Spinor) -> Spinor { Spinor(c * a.s0, c * a.s1, c * a.s2, c * a.s3) }
    /// P_L applied to a column spinor, or to a row spinor from the right.
    @inlinable public var leftProjected: Spinor { Spinor(s0, s1, .zero, .zero) }
    /// Row · column.
    @inlinable public func contract(_ col: Spinor) -> Complex { s0 * col.s0 + s1 * col.s1 + s2 * col.s2 + s3 * col.s3 }
}

public enum Dirac {
    /// J̸ ψ for a column spinor ψ (J contravariant).
    @inlinable @inline(__always) public static func slash(_ j: CVector, _ p: Spinor) -> Spinor {
        let i = Complex.i
        // J·σ = [[J0−J3, −J1+iJ2], [−J1−iJ2, J0+J3]],  J·σ̄ = [[J0+J3, J1−iJ2], [J1+iJ2, J0−J3]]
        let a00 = j.t - j.z, a01 = i * j.y - j.x, a10 = -(j.x + i * j.y), a11 = j.t + j.z
        let b00 = j.t + j.z, b01 = j.x - i * j.y, b10 = j.x + i * j.y, b11 = j.t - j.z
        return Spinor(a00 * p.s2 + a01 * p.s3, a10 * p.s2 + a11 * p.s3,
                      b00 * p.s0 + b01 * p.s1, b10 * p.s0 + b11 * p.s1)
    }
    /// χ J̸ for a row spinor χ.
    @inlinable @inline(__always) public static func slash(_ c: Spinor, _ j: CVector) -> Spinor {
        let i = Complex.i
        let a00 = j.t - j.z, a01 = i * j.y - j.x, a10 = -(j.x + i * j.y), a11 = j.t + j.z
        let b00 = j.t + j.z, b01 = j.x - i * j.y, b10 = j.x + i * j.y, b11 = j.t - j.z
        // (χ_u, χ_l) [[0, A], [B, 0]] = (χ_l B, χ_u A)
        return Spinor(c.s2 * b00 + c.s3 * b10, c.s2 * b01 + c.s3 * b11,
                      c.s0 * a00 + c.s1 * a10, c.s0 * a01 + c.s1 * a11)
    }
    /// P̸ ψ for a real momentum P (the propagator numerator).
    @inlinable @inline(__always) public static func slash(_ q: FourVector, _ p: Spinor) -> Spinor {
        // P·σ = [[P0−P3, −P1+iP2], [−P1−iP2, P0+P3]],  P·σ̄ = [[P0+P3, P1−iP2], [P1+iP2, P0−P3]]
        let m = q.e - q.pz, pl = q.e + q.pz
        func mulR(_ r: Double, _ c: Complex) -> Complex { Complex(r * c.re, r * c.im) }
        // (a + i b) c with a, b real
        func mulC(_ a: Double, _ b: Double, _ c: Complex) -> Complex { Complex(a * c.re - b * c.im, a * c.im + b * c.re) }
        return Spinor(mulR(m, p.s2) + mulC(-q.px, q.py, p.s3), mulC(-q.px, -q.py, p.s2) + mulR(pl, p.s3),
                      mulR(pl, p.s0) + mulC(q.px, -q.py, p.s1), mulC(q.px, q.py, p.s0) + mulR(m, p.s1))
    }
    /// χ P̸ for a row spinor χ and a real momentum P.
    @inlinable @inline(__always) public static func slash(_ c: Spinor, _ q: FourVector) -> Spinor {
        let m = q.e - q.pz, pl = q.e + q.pz
        func mulR(_ r: Double, _ c: Complex) -> Complex { Complex(r * c.re, r * c.im) }
        func mulC(_ a: Double, _ b: Double, _ c: Complex) -> Complex { Complex(a * c.re - b * c.im, a * c.im + b * c.re) }
        // (χ_u, χ_l)[[0, A], [B, 0]] = (χ_l B, χ_u A)
        return Spinor(mulR(pl, c.s2) + mulC(q.px, q.py, c.s3), mulC(q.px, -q.py, c.s2) + mulR(m, c.s3),
                      mulR(m, c.s0) + mulC(-q.px, -q.py, c.s1), mulC(-q.px, q.py, c.s0) + mulR(pl, c.s1))
    }
    /// The vector current χ γ^μ ψ (contravariant components).
    @inlinable @inline(__always) public static func current(_ c: Spinor, _ p: Spinor) -> CVector {
        let i = Complex.i
        let t = c.s0 * p.s2 + c.s1 * p.s3 + c.s2 * p.s0 + c.s3 * p.s1
        let x = c.s0 * p.s3 + c.s1 * p.s2 - c.s2 * p.s1 - c.s3 * p.s0
        let y = i * (c.s1 * p.s2 - c.s0 * p.s3 + c.s2 * p.s1 - c.s3 * p.s0)
        let z = c.s0 * p.s2 - c.s1 * p.s3 - c.s2 * p.s0 + c.s3 * p.s1
        return CVector(t, x, y, z)
    }
}
