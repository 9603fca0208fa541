// RAMBO (Kleiss, Stirling, Ellis, Comput. Phys. Commun. 40 (1986) 359): flat n-body phase space in the
// centre-of-mass frame, with the massive extension by a common rescaling of three-momenta. Used to probe and
// check matrix elements (tests, `nisgen matrix-element`), not for integration.
import Kinematics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Rambo {
    /// Two incoming beams along ±z with total energy √s, then `masses.count` outgoing momenta.
    /// `uniform` must return numbers in (0, 1).
    public static func event(sqrtS: Double, masses: [Double], uniform: () -> Double) -> [FourVector] {
        let n = masses.count
        var q: [FourVector] = []
        var total = FourVector.zero
        for _ in 0..<n {
            let c = 2 * uniform() - 1, phi = 2 * Double.pi * uniform()
            let e = -log(uniform() * uniform())
            let s = (max(0, 1 - c * c)).squareRoot()
            let v = FourVector(e, e * s * cos(phi), e * s * sin(phi), e * c)
            q.append(v); total += v
        }
        let m = total.m2.squareRoot()
        let b = (-total.px / m, -total.py / m, -total.pz / m)
        let x = sqrtS / m, gamma = total.e / m, a = 1 / (1 + gamma)
        var p = q.map { v -> FourVector in
            let bq = b.0 * v.px + b.1 * v.py + b.2 * v.pz
            return FourVector(x * (gamma * v.e + bq),
                              x * (v.px + b.0 * v.e + a * bq * b.0),
                              x * (v.py + b.1 * v.e + a * bq * b.1),
                              x * (v.pz + b.2 * v.e + a * bq * b.2))
        }
        if masses.contains(where: { $0 > 0 }) {
            // Solve Σ √(m_i² + ξ² E_i²) = √s for ξ (Newton), then p⃗ → ξ p⃗.
            var xi = (1 - pow(masses.reduce(0, +) / sqrtS, 2)).squareRoot()
            for _ in 0..<50 {
                var f = -sqrtS, df = 0.0
                for i in 0..<n {
                    let e = (masses[i] * masses[i] + xi * xi * p[i].e * p[i].e).squareRoot()
                    f += e; df += xi * p[i].e * p[i].e / e
                }
                let step = f / df
                xi -= step
                if abs(step) < 1e-15 * xi { break }
            }
            p = p.indices.map { i in
                FourVector((masses[i] * masses[i] + xi * xi * p[i].e * p[i].e).squareRoot(), xi * p[i].px, xi * p[i].py, xi * p[i].pz)
            }
        }
        let half = sqrtS / 2
        return [FourVector(half, 0, 0, half), FourVector(half, 0, 0, -half)] + p
    }
}
