// A hadronic channel factorised into the luminosity pair (τ = x₁x₂, rapidity y = ½ ln(x₁/x₂)) and a
// partonic channel in the partonic centre-of-mass frame, boosted along z by y. dx₁ dx₂ = dτ dy, and y is
// uniform in [½ ln τ, −½ ln τ]. The τ map is any `InvariantMap` on [τ_min, τ_max]: a power law (massless
// s-channel, ν = 1 gives the usual 1/τ) or a Breit–Wigner in τ with mass M/√s and width Γ/√s (the resonance
// in ŝ = τ s).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

public struct LuminosityChannel: PhaseSpaceChannel {
    public let name: String
    public let partonic: any PartonicChannel
    public let tauMap: any InvariantMap
    public let sqrtS: Double
    public var dimension: Int { 2 + partonic.dimension }
    public var finalStateCount: Int { partonic.particleCount }

    public init(sqrtS: Double, tauMap: any InvariantMap, partonic: any PartonicChannel, name: String = "luminosity×partonic") throws {
        guard sqrtS.isFinite, sqrtS > 0 else { throw PhaseSpaceError.invalidRange("√s must be positive, got \(sqrtS)") }
        guard tauMap.lower > 0, tauMap.upper <= 1 else {
            throw PhaseSpaceError.invalidRange("τ map must live in (0, 1], got [\(tauMap.lower), \(tauMap.upper)]")
        }
        self.sqrtS = sqrtS; self.tauMap = tauMap; self.partonic = partonic; self.name = name
    }

    public func map(_ y: UnsafeBufferPointer<Double>, into momenta: inout [FourVector]) -> MappedPoint {
        let tau = tauMap.value(y[0])
        let yMax = -0.5 * log(tau)
        let rap = yMax * (2 * y[1] - 1)
        let sHat = tau * sqrtS * sqrtS
        let rest = UnsafeBufferPointer(rebasing: y[2...])
        let wPartonic = partonic.map(rest, sHat: sHat, into: &momenta, offset: 2)
        guard wPartonic > 0 else { return .invalid }
        let beta = tanh(rap)
        for i in 0..<partonic.particleCount { momenta[2 &+ i] = momenta[2 &+ i].boosted(beta: 0, 0, beta) }
        let x1 = tau.squareRoot() * exp(rap), x2 = tau.squareRoot() * exp(-rap)
        guard x1 <= 1, x2 <= 1 else { return .invalid }
        momenta[0] = FourVector(0.5 * sqrtS * x1, 0, 0, 0.5 * sqrtS * x1)
        momenta[1] = FourVector(0.5 * sqrtS * x2, 0, 0, -0.5 * sqrtS * x2)
        let w = wPartonic * 2 * yMax / tauMap.density(tau)
        return w.isFinite ? MappedPoint(x1: x1, x2: x2, weight: w) : .invalid
    }

    public func density(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> Double {
        let tau = x1 * x2
        let rap = 0.5 * log(x1 / x2)
        let beta = -tanh(rap)
        let cm = momenta[2...].map { $0.boosted(beta: 0, 0, beta) }
        let d = tauMap.density(tau) / (-log(tau)) * partonic.density(of: cm[...], sHat: tau * sqrtS * sqrtS)
        return d.isFinite ? d : 0
    }
}
