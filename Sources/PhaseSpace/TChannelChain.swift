// A t-channel (multiperipheral) chain at fixed ŝ in the spirit of Byckling & Kajantie (Particle Kinematics,
// 1973, ch. V): p_a + p_b → p_{o₁} … p_{oₙ}, where p_a emits o₁, o₂, … in turn along a chain of spacelike
// propagators q_i = q_{i−1} − p_{oᵢ} (q₀ = p_a) and the last two particles close the chain with p_b.
// Step i is a two-body decay of Q_i = q_{i−1} + p_b (mass² s_i = (p_{oᵢ} + … + p_{oₙ})²) into p_{oᵢ} and
// the rest R_i (mass² s_{i+1}); in the Q_i rest frame the polar angle of p_{oᵢ} is measured from q_{i−1},
// so t_i = (q_{i−1} − p_{oᵢ})² is linear in cos θ and
//     dΦ₂(Q_i; p, R) = dt_i dφ/(2π) / (16π √s_i |q⃗*_{i−1}|).
// t_i is sampled ∝ 1/(t_max − t_i + c)^ν (c = max(−t_max, 0): the 1/|t| propagator when t_max ≤ 0),
// the rest masses s_{i+1} ∈ [0, s_i] ∝ 1/(s)^ν_s, φ uniform. Every step is invertible, so foreign points get
// exact densities. Incoming momenta: p_a = (√ŝ/2)(1,0,0,1), p_b = (√ŝ/2)(1,0,0,−1) (CM frame).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

public struct TChannelChain: PartonicChannel {
    public let particleCount: Int
    public var dimension: Int { 3 * particleCount - 4 }
    /// Emission order: order[0] is emitted first from p_a, order[n−1] ends the chain next to p_b.
    public let order: [Int]
    public let tExponent: Double
    public let massExponent: Double

    public init(order: [Int], tExponent: Double = 0.5, massExponent: Double = 0.5) throws {
        let n = order.count
        guard n >= 2, Set(order) == Set(0..<n) else {
            throw PhaseSpaceError.unsupportedTopology("t-channel order must be a permutation of 0..<n with n ≥ 2, got \(order)")
        }
        guard tExponent >= 0, tExponent < 1, massExponent >= 0, massExponent < 1 else {
            throw PhaseSpaceError.invalidRange("t-channel exponents must lie in [0, 1)")
        }
        particleCount = n; self.order = order; self.tExponent = tExponent; self.massExponent = massExponent
    }

    /// Orthonormal axes (e₁, e₂) perpendicular to the unit vector (x, y, z); deterministic so maps invert.
    @inline(__always)
    static func basis(_ x: Double, _ y: Double, _ z: Double) -> ((Double, Double, Double), (Double, Double, Double)) {
        let (ax, ay, az): (Double, Double, Double) = abs(x) < 0.9 ? (1, 0, 0) : (0, 1, 0)
        let d = ax * x + ay * y + az * z
        var e1 = (ax - d * x, ay - d * y, az - d * z)
        let norm = (e1.0 * e1.0 + e1.1 * e1.1 + e1.2 * e1.2).squareRoot()
        e1 = (e1.0 / norm, e1.1 / norm, e1.2 / norm)
        let e2 = (y * e1.2 - z * e1.1, z * e1.0 - x * e1.2, x * e1.1 - y * e1.0)
        return (e1, e2)
    }

    /// Kinematics of one step in the Q rest frame: |q⃗*|, q*⁰, unit q̂*, and the t range for a massless
    /// emission of energy e*.
    struct Step {
        var qStar: FourVector
        var qAbs: Double
        var eStar: Double
        var tMax: Double
        var tMin: Double
        var offset: Double { max(-tMax, 0) }
        init(q: FourVector, system: FourVector, systemMass: Double, restMass2: Double) {
            let sI = systemMass * systemMass
            qStar = TwoBodyDecay.boostToRest(q, system, mass: systemMass)
            qAbs = (qStar.px * qStar.px + qStar.py * qStar.py + qStar.pz * qStar.pz).squareRoot()
            eStar = max(kallen(sI, 0, restMass2), 0).squareRoot() / (2 * systemMass)
            let q2 = q.m2
            tMax = q2 - 2 * eStar * (qStar.e - qAbs)
            tMin = q2 - 2 * eStar * (qStar.e + qAbs)
        }
    }

    public func map(_ y: UnsafeBufferPointer<Double>, sHat: Double, into out: inout [FourVector], offset: Int) -> Double {
        let n = particleCount
        let half = 0.5 * sHat.squareRoot()
        var q = FourVector(half, 0, 0, half)
        var system = FourVector(2 * half, 0, 0, 0)
        var s = sHat
        var weight = 1.0
        var j = 0
        for i in 0..<(n - 1) {
            // Mass² of the rest after this emission (massless last particle for the final step).
            var rest2 = 0.0
            if i < n - 2 {
                rest2 = DynamicPowerLaw.value(y[j], lower: 0, upper: s, exponent: massExponent, offset: 0)
                weight /= DynamicPowerLaw.density(rest2, lower: 0, upper: s, exponent: massExponent, offset: 0) * PhaseSpaceConstants.twoPi
                j &+= 1
            }
            let m = s.squareRoot()
            let step = Step(q: q, system: system, systemMass: m, restMass2: rest2)
            let range = step.tMax - step.tMin
            let v = DynamicPowerLaw.value(y[j], lower: 0, upper: range, exponent: tExponent, offset: step.offset)
            weight /= DynamicPowerLaw.density(v, lower: 0, upper: range, exponent: tExponent, offset: step.offset)
            let t = step.tMax - v
            let phi = PhaseSpaceConstants.twoPi * y[j &+ 1]
            j &+= 2
            weight /= 16 * Double.pi * m * step.qAbs
            let cosT = max(-1, min(1, (t - q.m2 + 2 * step.eStar * step.qStar.e) / (2 * step.eStar * step.qAbs)))
            let sinT = max(1 - cosT * cosT, 0).squareRoot()
            let ux = step.qStar.px / step.qAbs, uy = step.qStar.py / step.qAbs, uz = step.qStar.pz / step.qAbs
            let (e1, e2) = Self.basis(ux, uy, uz)
            let a = sinT * cos(phi), b = sinT * sin(phi)
            let e = step.eStar
            let pStar = FourVector(e, e * (a * e1.0 + b * e2.0 + cosT * ux), e * (a * e1.1 + b * e2.1 + cosT * uy),
                                   e * (a * e1.2 + b * e2.2 + cosT * uz))
            let p = TwoBodyDecay.boost(pStar, system, mass: m)
            out[offset &+ order[i]] = p
            q = q - p
            system = system - p
            s = rest2
            if i == n - 2 { out[offset &+ order[n - 1]] = system }
        }
        return weight.isFinite ? weight : 0
    }

    /// Per-step invariants of a given point: rest masses², t values, systems and q vectors.
    private func walk(_ momenta: ArraySlice<FourVector>, sHat: Double,
                      visit: (_ i: Int, _ q: FourVector, _ system: FourVector, _ s: Double, _ rest2: Double, _ p: FourVector) -> Bool) {
        let n = particleCount, base = momenta.startIndex
        let half = 0.5 * sHat.squareRoot()
        var q = FourVector(half, 0, 0, half)
        var system = FourVector(2 * half, 0, 0, 0)
        var s = sHat
        for i in 0..<(n - 1) {
            let p = momenta[base + order[i]]
            var rest = FourVector.zero
            for k in (i + 1)..<n { rest += momenta[base + order[k]] }
            let rest2 = i < n - 2 ? max(rest.m2, 0) : 0
            if !visit(i, q, system, s, rest2, p) { return }
            q = q - p
            system = rest
            s = rest2
        }
    }

    public func density(of momenta: ArraySlice<FourVector>, sHat: Double) -> Double {
        var density = 1.0
        let n = particleCount
        walk(momenta, sHat: sHat) { i, q, system, s, rest2, p in
            if i < n - 2 {
                density *= DynamicPowerLaw.density(rest2, lower: 0, upper: s, exponent: massExponent, offset: 0) * PhaseSpaceConstants.twoPi
            }
            let m = s.squareRoot()
            let step = Step(q: q, system: system, systemMass: m, restMass2: rest2)
            let t = (q - p).m2
            density *= DynamicPowerLaw.density(step.tMax - t, lower: 0, upper: step.tMax - step.tMin, exponent: tExponent, offset: step.offset)
            density *= 16 * Double.pi * m * step.qAbs
            return density > 0
        }
        return density.isFinite ? density : 0
    }

    /// The y producing the given CM-frame momenta.
    public func inverse(of momenta: ArraySlice<FourVector>, sHat: Double) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        var j = 0
        let n = particleCount
        walk(momenta, sHat: sHat) { i, q, system, s, rest2, p in
            if i < n - 2 {
                y[j] = DynamicPowerLaw.inverse(rest2, lower: 0, upper: s, exponent: massExponent, offset: 0); j += 1
            }
            let m = s.squareRoot()
            let step = Step(q: q, system: system, systemMass: m, restMass2: rest2)
            let t = (q - p).m2
            y[j] = DynamicPowerLaw.inverse(step.tMax - t, lower: 0, upper: step.tMax - step.tMin, exponent: tExponent, offset: step.offset)
            let pStar = TwoBodyDecay.boostToRest(p, system, mass: m)
            let ux = step.qStar.px / step.qAbs, uy = step.qStar.py / step.qAbs, uz = step.qStar.pz / step.qAbs
            let (e1, e2) = Self.basis(ux, uy, uz)
            let a = pStar.px * e1.0 + pStar.py * e1.1 + pStar.pz * e1.2
            let b = pStar.px * e2.0 + pStar.py * e2.1 + pStar.pz * e2.2
            var phi = atan2(b, a)
            if phi < 0 { phi += PhaseSpaceConstants.twoPi }
            y[j + 1] = phi / PhaseSpaceConstants.twoPi
            j += 2
            return true
        }
        return y
    }
}
