// Generation cuts at leading order: jets are the final-state partons (no clustering), the lepton is the
// charged lepton, missing E_T is the neutrino p_T, m_T(W) = √(2 p_T,ℓ p_T,ν (1 − cos Δφ)).
// Every cut is optional (nil = no cut). Momenta use the slot layout of PhaseSpace (0 = p_a, 1 = p_b,
// 2 = ℓ, 3 = ν, 4… = partons). Pseudorapidity is η = −ln tan(θ/2); ΔR uses η and φ.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics
import PhaseSpace

/// Codable note: synthesized decoding reads an absent key as "no cut" (nil), not as the default of `init`;
/// a run-card layer that wants the defaults should start from `Cuts()` and override the keys it finds.
public struct Cuts: Sendable, Equatable, Codable {
    /// Minimum parton p_T in GeV (default 20).
    public var jetPTMin: Double?
    /// Maximum parton |η| (default 5).
    public var jetEtaMax: Double?
    /// Minimum ΔR between any two partons (default 0.4).
    public var jetDeltaRMin: Double?
    /// Minimum charged-lepton p_T in GeV (default: none, lepton inclusive).
    public var leptonPTMin: Double?
    /// Maximum charged-lepton |η| (default: none).
    public var leptonEtaMax: Double?
    /// Minimum missing transverse energy (neutrino p_T) in GeV.
    public var missingETMin: Double?
    /// Minimum transverse mass of the (ℓ, ν) system in GeV.
    public var wTransverseMassMin: Double?

    public init(jetPTMin: Double? = 20, jetEtaMax: Double? = 5, jetDeltaRMin: Double? = 0.4,
                leptonPTMin: Double? = nil, leptonEtaMax: Double? = nil, missingETMin: Double? = nil,
                wTransverseMassMin: Double? = nil) {
        self.jetPTMin = jetPTMin; self.jetEtaMax = jetEtaMax; self.jetDeltaRMin = jetDeltaRMin
        self.leptonPTMin = leptonPTMin; self.leptonEtaMax = leptonEtaMax
        self.missingETMin = missingETMin; self.wTransverseMassMin = wTransverseMassMin
    }

    /// No cut at all (only meaningful for W + 0 jets).
    public static let none = Cuts(jetPTMin: nil, jetEtaMax: nil, jetDeltaRMin: nil)

    /// Throws on negative, zero-width or non-finite values.
    public func validate() throws {
        let named: [(String, Double?)] = [("jet pT minimum", jetPTMin), ("jet |eta| maximum", jetEtaMax),
                                          ("jet Delta R minimum", jetDeltaRMin), ("lepton pT minimum", leptonPTMin),
                                          ("lepton |eta| maximum", leptonEtaMax), ("missing ET minimum", missingETMin),
                                          ("W transverse mass minimum", wTransverseMassMin)]
        for (name, value) in named {
            guard let v = value else { continue }
            guard v.isFinite else { throw PhysicsError.invalidCut("\(name) must be finite, got \(v)") }
            guard v >= 0 else { throw PhysicsError.invalidCut("\(name) must not be negative, got \(v)") }
        }
        if let e = jetEtaMax, e == 0 { throw PhysicsError.invalidCut("jet |eta| maximum 0 leaves no phase space") }
        if let e = leptonEtaMax, e == 0 { throw PhysicsError.invalidCut("lepton |eta| maximum 0 leaves no phase space") }
    }

    /// Whether a point passes, given momenta in slot order and the number of partons.
    @inline(__always)
    public func passes(_ p: UnsafeBufferPointer<FourVector>, partons n: Int) -> Bool {
        let lepton = p[2], neutrino = p[3]
        if let c = leptonPTMin, lepton.pt2 < c * c { return false }
        if let c = leptonEtaMax, abs(lepton.eta) > c { return false }
        if let c = missingETMin, neutrino.pt2 < c * c { return false }
        if let c = wTransverseMassMin, transverseMass(lepton, neutrino) < c { return false }
        for i in 0..<n {
            let j = p[4 &+ i]
            if let c = jetPTMin, j.pt2 < c * c { return false }
            if let c = jetEtaMax, abs(j.eta) > c { return false }
            if let c = jetDeltaRMin {
                for k in 0..<i where deltaR(j, p[4 &+ k]) < c { return false }
            }
        }
        return true
    }

    public func passes(_ momenta: [FourVector], partons n: Int) -> Bool {
        momenta.withUnsafeBufferPointer { passes($0, partons: n) }
    }

    /// Generation limits for the W + n channels implied by these cuts. The pair-mass lower bound uses
    /// m² = 2 p_T1 p_T2 (cosh Δy − cos Δφ) ≥ 2 p_T,min² (1 − cos min(ΔR_min, π)) for partons passing the cuts.
    public func channelLimits(sqrtS: Double, model: StandardModel, jets n: Int,
                              leptonPairMass: ClosedRange<Double>? = nil) throws -> ChannelLimits {
        try validate()
        let window = leptonPairMass ?? 10.0...sqrtS
        guard window.lowerBound > 0 else { throw PhysicsError.invalidCut("lepton-pair mass window must start above 0 GeV") }
        let pt = jetPTMin ?? 0
        if n > 0 && pt <= 0 {
            throw PhysicsError.invalidCut("W + \(n) jets needs a positive jet pT minimum (infrared safety), got \(pt)")
        }
        let threshold = window.lowerBound + Double(n) * pt
        guard sqrtS.isFinite, sqrtS > threshold else { throw PhysicsError.energyTooLow(sqrtS: sqrtS, threshold: threshold) }
        let r = min(jetDeltaRMin ?? 0, Double.pi)
        return ChannelLimits(sqrtS: sqrtS, wMass: model.mW, wWidth: model.widthW,
                             leptonPairMassMin: window.lowerBound, leptonPairMassMax: min(window.upperBound, sqrtS),
                             jetPTMin: pt, jetEtaMax: jetEtaMax, pairMass2Min: 2 * pt * pt * (1 - cos(r)))
    }
}
