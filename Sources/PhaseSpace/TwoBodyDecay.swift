// Isotropic two-body decay q → p₁ p₂: the angles of p₁ are drawn uniformly on the sphere in the rest frame
// of q (axes parallel to the lab axes), then both children are boosted back.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

public enum TwoBodyDecay {
    /// Volume of two-body phase space, λ^½(s, m₁², m₂²) / (8π s): also the Jacobian of the isotropic map
    /// (u₁, u₂) → dΦ₂, because dΦ₂ = λ^½/(32π² s) dΩ and dΩ = 4π du₁ du₂.
    @inline(__always)
    public static func weight(parentMass2 s: Double, child1Mass2 m1: Double, child2Mass2 m2: Double) -> Double {
        let l = kallen(s, m1, m2)
        return l > 0 ? l.squareRoot() / (8 * Double.pi * s) : 0
    }

    /// Decays `parent` (invariant mass² `s` > 0) into children with masses² m₁², m₂²;
    /// u₁ sets cos θ = 2u₁ − 1, u₂ sets φ = 2π u₂ of child 1 in the parent rest frame.
    @inline(__always)
    public static func decay(_ parent: FourVector, parentMass2 s: Double, child1Mass2 m1: Double,
                             child2Mass2 m2: Double, u1: Double, u2: Double) -> (FourVector, FourVector) {
        let rootS = s.squareRoot()
        let p = max(kallen(s, m1, m2), 0).squareRoot() / (2 * rootS)
        let cosT = 2 * u1 - 1
        let sinT = max(1 - cosT * cosT, 0).squareRoot()
        let phi = PhaseSpaceConstants.twoPi * u2
        let e1 = (s + m1 - m2) / (2 * rootS)
        let e2 = (s - m1 + m2) / (2 * rootS)
        let px = p * sinT * cos(phi), py = p * sinT * sin(phi), pz = p * cosT
        let c1 = FourVector(e1, px, py, pz)
        let c2 = FourVector(e2, -px, -py, -pz)
        // Boost with γ = E/m, βγ = p⃗/m using the sampled mass (not E² − p⃗², which loses digits for light,
        // fast parents); the children then sum exactly to the parent.
        return (boost(c1, parent, mass: rootS), boost(c2, parent, mass: rootS))
    }

    /// Boosts `k` from the rest frame of `parent` (mass `m`) to the frame where parent has its momentum.
    @inline(__always)
    static func boost(_ k: FourVector, _ parent: FourVector, mass m: Double) -> FourVector {
        let pk = parent.px * k.px + parent.py * k.py + parent.pz * k.pz
        let e = (parent.e * k.e + pk) / m
        let f = pk / (m * (parent.e + m)) + k.e / m
        return FourVector(e, k.px + f * parent.px, k.py + f * parent.py, k.pz + f * parent.pz)
    }

    /// Boosts `k` into the rest frame of `parent` (mass `m`): the inverse of `boost`.
    @inline(__always)
    static func boostToRest(_ k: FourVector, _ parent: FourVector, mass m: Double) -> FourVector {
        let pk = parent.px * k.px + parent.py * k.py + parent.pz * k.pz
        let e = (parent.e * k.e - pk) / m
        let f = pk / (m * (parent.e + m)) - k.e / m
        return FourVector(e, k.px + f * parent.px, k.py + f * parent.py, k.pz + f * parent.pz)
    }

    /// The (u₁, u₂) that `decay` would need to produce `child` (child 1) from `parent`.
    @inline(__always)
    public static func angles(of child: FourVector, in parent: FourVector) -> (Double, Double) {
        let r = child.boosted(toRestFrameOf: parent)
        let p = (r.px * r.px + r.py * r.py + r.pz * r.pz).squareRoot()
        let cosT = p > 0 ? max(-1, min(1, r.pz / p)) : 1
        var phi = atan2(r.py, r.px)
        if phi < 0 { phi += PhaseSpaceConstants.twoPi }
        return ((cosT + 1) / 2, phi / PhaseSpaceConstants.twoPi)
    }
}
