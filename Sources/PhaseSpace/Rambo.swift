// RAMBO (Kleiss, Stirling, Ellis, Comput. Phys. Commun. 40 (1986) 359): flat massless n-body phase space.
// n isotropic massless vectors with energies drawn from q⁰ e^(−q⁰) are conformally transformed (boost plus
// scale) to total momentum (√ŝ, 0⃗). Every point gets the same weight, the full volume Φₙ(ŝ), so the
// density of any foreign point is 1/Φₙ(ŝ): no inversion is needed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

public struct RamboChannel: PartonicChannel {
    public let particleCount: Int
    /// RAMBO consumes four numbers per particle (it is not a bijection; 4n > 3n − 4).
    public var dimension: Int { 4 * particleCount }

    public init(particles n: Int) throws {
        guard n >= 2 else { throw PhaseSpaceError.unsupportedTopology("RAMBO needs at least 2 particles, got \(n)") }
        particleCount = n
    }

    public func map(_ y: UnsafeBufferPointer<Double>, sHat: Double, into out: inout [FourVector], offset: Int) -> Double {
        let n = particleCount
        var sum = FourVector.zero
        for i in 0..<n {
            let b = 4 &* i
            let c = 2 * y[b] - 1
            let s = max(1 - c * c, 0).squareRoot()
            let phi = PhaseSpaceConstants.twoPi * y[b &+ 1]
            let q0 = -log(y[b &+ 2] * y[b &+ 3])
            let q = FourVector(q0, q0 * s * cos(phi), q0 * s * sin(phi), q0 * c)
            out[offset &+ i] = q
            sum += q
        }
        let m = sum.m2.squareRoot()
        let bx = -sum.px / m, by = -sum.py / m, bz = -sum.pz / m
        let x = sHat.squareRoot() / m
        let gamma = sum.e / m
        let a = 1 / (1 + gamma)
        for i in 0..<n {
            let q = out[offset &+ i]
            let bq = bx * q.px + by * q.py + bz * q.pz
            out[offset &+ i] = FourVector(x * (gamma * q.e + bq),
                                          x * (q.px + bx * q.e + a * bq * bx),
                                          x * (q.py + by * q.e + a * bq * by),
                                          x * (q.pz + bz * q.e + a * bq * bz))
        }
        return masslessPhaseSpaceVolume(particles: n, s: sHat)
    }

    public func density(of momenta: ArraySlice<FourVector>, sHat: Double) -> Double {
        1 / masslessPhaseSpaceVolume(particles: particleCount, s: sHat)
    }
}
