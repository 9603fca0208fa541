// External wave functions in the all-outgoing convention of Dixon (hep-ph/9601359): massless Weyl spinors
// |k±⟩, gluon polarisation vectors with a fixed light-like reference vector, and massive vector polarisations.
// Negative-energy momenta (crossed incoming legs) use |k⟩ = i |−k⟩ for both column and row spinors, which is
// the analytic continuation that keeps k̸ |k±⟩ = 0 and |k±⟩⟨k±| summing to k̸.
import Kinematics

public enum Wavefunctions {
    /// u_+(k) (right-handed, components 2, 3) for k⁰ > 0.
    static func uPlusPositive(_ k: FourVector) -> Spinor {
        let kp = k.e + k.pz, km = k.e - k.pz
        if kp >= km {
            let r = kp.squareRoot()
            return Spinor(.zero, .zero, Complex(r), Complex(k.px / r, k.py / r))
        }
        // Along −z: (k_x − i k_y, k⁻)/√k⁻, the same spinor up to a phase.
        let r = km.squareRoot()
        return Spinor(.zero, .zero, Complex(k.px / r, -k.py / r), Complex(r))
    }
    /// u_−(k) (left-handed, components 0, 1) for k⁰ > 0.
    static func uMinusPositive(_ k: FourVector) -> Spinor {
        let kp = k.e + k.pz, km = k.e - k.pz
        if kp >= km {
            let r = kp.squareRoot()
            return Spinor(Complex(k.px / r, -k.py / r), Complex(-r), .zero, .zero)
        }
        let r = km.squareRoot()
        return Spinor(Complex(r), Complex(-k.px / r, -k.py / r), .zero, .zero)
    }
    static func bar(_ u: Spinor) -> Spinor { Spinor(u.s2.conjugate, u.s3.conjugate, u.s0.conjugate, u.s1.conjugate) }

    /// Column spinor u_h(k), h = +1 or −1.
    public static func u(_ k: FourVector, _ h: Int) -> Spinor {
        if k.e >= 0 { return h > 0 ? uPlusPositive(k) : uMinusPositive(k) }
        return Complex.i * u(-k, h)
    }
    /// Row spinor ū_h(k).
    public static func ubar(_ k: FourVector, _ h: Int) -> Spinor {
        if k.e >= 0 { return bar(h > 0 ? uPlusPositive(k) : uMinusPositive(k)) }
        return Complex.i * ubar(-k, h)
    }

    /// Outgoing quark of helicity h: ū_h(k) (row).
    public static func outgoingQuark(_ k: FourVector, _ h: Int) -> Spinor { ubar(k, h) }
    /// Outgoing antiquark of helicity h: v_h(k) = u_{−h}(k) for massless spinors (column).
    public static func outgoingAntiquark(_ k: FourVector, _ h: Int) -> Spinor { u(k, -h) }

    /// The fixed reference vector of gluon polarisations (any light-like vector not parallel to a gluon works;
    /// gauge invariance makes |M|² independent of it).
    public static let reference = FourVector(1.0, 0.29210850734218, -0.53167212374817, 0.79497327138734).masslessNormalised

    /// Outgoing gluon of helicity ±: ε_+^μ = ⟨q−|γ^μ|k−⟩/(√2 ⟨qk⟩), ε_−^μ = −⟨q+|γ^μ|k+⟩/(√2 [qk]).
    public static func gluon(_ k: FourVector, _ h: Int, reference q: FourVector = reference) -> CVector {
        let s2 = 2.0.squareRoot()
        if h > 0 {
            let qb = ubar(q, -1)
            let num = Dirac.current(qb, u(k, -1))
            let den = s2 * qb.contract(u(k, +1))
            return (Complex.one / den) * num
        } else {
            let qb = ubar(q, +1)
            let num = Dirac.current(qb, u(k, +1))
            let den = s2 * qb.contract(u(k, -1))
            return (-(Complex.one / den)) * num
        }
    }

    /// Real polarisation basis of a massive vector of momentum k (mass √k²): two transverse, one longitudinal.
    /// Summing over this basis gives −g^{μν} + k^μ k^ν / k².
    public static func massiveVector(_ k: FourVector, _ lambda: Int) -> CVector {
        let m = max(k.m2, 0).squareRoot()
        let p = k.p
        // Unit vector along k⃗ (z if at rest) and two unit vectors orthogonal to it.
        let (nx, ny, nz) = p > 0 ? (k.px / p, k.py / p, k.pz / p) : (0.0, 0.0, 1.0)
        let (ax, ay, az) = abs(nz) < 0.9 ? (0.0, 0.0, 1.0) : (1.0, 0.0, 0.0)
        // e1 = (a × n)/|a × n|, e2 = n × e1
        var e1 = (ay * nz - az * ny, az * nx - ax * nz, ax * ny - ay * nx)
        let l1 = (e1.0 * e1.0 + e1.1 * e1.1 + e1.2 * e1.2).squareRoot()
        e1 = (e1.0 / l1, e1.1 / l1, e1.2 / l1)
        let e2 = (ny * e1.2 - nz * e1.1, nz * e1.0 - nx * e1.2, nx * e1.1 - ny * e1.0)
        switch lambda {
        case 0: return CVector(FourVector(0, e1.0, e1.1, e1.2))
        case 1: return CVector(FourVector(0, e2.0, e2.1, e2.2))
        default: return CVector(FourVector(p / m, k.e * nx / m, k.e * ny / m, k.e * nz / m))
        }
    }
}

extension FourVector {
    /// The light-like vector (|p⃗|, p⃗).
    var masslessNormalised: FourVector { FourVector(p, px, py, pz) }
}
