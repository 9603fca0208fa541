// Renormalisation and factorisation scales. Central scale μ₀ (GeV), all sums over the final-state partons:
//   .fixed(μ)              μ₀ = μ
//   .htHalf                μ₀ = ½ (Σ p_T,partons + p_T,ℓ + p_T,ν)                                (H_T/2)
//   .htPrimeHalf           μ₀ = ½ (Σ p_T,partons + √(M_W² + p_T,ℓν²)), M_W the pole mass           (H_T′/2, BlackHat/Sherpa)
//   .transverseMassHalf    μ₀ = ½ (Σ p_T,partons + √(m_ℓν² + p_T,ℓν²)), m_ℓν the actual pair mass (MadGraph
//                          dynamical_scale_choice 3: Σ m_T/2 over final-state particles, the W as one ℓν system;
//                          massless partons have m_T = p_T).
// μR = renormalizationFactor · μ₀, μF = factorizationFactor · μ₀; αs is evaluated at μR. Dynamical μ₀ is
// floored at `minimumScale` (default 1 GeV): H_T/2 of W + 0 jets vanishes when both leptons run along the
// beam, and αs or a PDF at Q → 0 would turn the point into NaN.
import Kinematics

public enum ScaleChoice: Sendable, Equatable, Codable {
    case fixed(Double)
    case htHalf
    case htPrimeHalf
    case transverseMassHalf
}

public struct ScaleSetting: Sendable, Equatable, Codable {
    public var choice: ScaleChoice
    public var renormalizationFactor: Double
    public var factorizationFactor: Double
    /// Lower bound of a dynamical μ₀ in GeV.
    public var minimumScale: Double

    public init(_ choice: ScaleChoice = .transverseMassHalf, renormalizationFactor: Double = 1, factorizationFactor: Double = 1,
                minimumScale: Double = 1) {
        self.choice = choice
        self.renormalizationFactor = renormalizationFactor
        self.factorizationFactor = factorizationFactor
        self.minimumScale = minimumScale
    }

    public func validate() throws {
        guard renormalizationFactor.isFinite, renormalizationFactor > 0, factorizationFactor.isFinite, factorizationFactor > 0 else {
            throw PhysicsError.invalidScale("scale factors must be positive and finite, got μR×\(renormalizationFactor), μF×\(factorizationFactor)")
        }
        guard minimumScale.isFinite, minimumScale >= 0 else {
            throw PhysicsError.invalidScale("minimum scale must be finite and non-negative, got \(minimumScale) GeV")
        }
        if case .fixed(let mu) = choice, !(mu.isFinite && mu > 0) {
            throw PhysicsError.invalidScale("fixed scale must be positive and finite, got \(mu) GeV")
        }
    }

    private enum CodingKeys: String, CodingKey { case choice, renormalizationFactor, factorizationFactor, minimumScale }

    /// Decoding fills absent keys with the defaults of `init` (run cards may give only the choice).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decodeIfPresent(ScaleChoice.self, forKey: .choice) ?? .transverseMassHalf,
                  renormalizationFactor: try c.decodeIfPresent(Double.self, forKey: .renormalizationFactor) ?? 1,
                  factorizationFactor: try c.decodeIfPresent(Double.self, forKey: .factorizationFactor) ?? 1,
                  minimumScale: try c.decodeIfPresent(Double.self, forKey: .minimumScale) ?? 1)
    }

    /// μ₀ for momenta in slot order (2 = ℓ, 3 = ν, 4… = partons).
    @inline(__always)
    public func centralScale(_ p: UnsafeBufferPointer<FourVector>, partons n: Int, wMass: Double) -> Double {
        if case .fixed(let mu) = choice { return mu }
        var sumPT = 0.0
        for i in 0..<n { sumPT += p[4 &+ i].pt }
        let w = p[2] + p[3]
        switch choice {
        case .fixed(let mu): return mu
        case .htHalf: return max(0.5 * (sumPT + p[2].pt + p[3].pt), minimumScale)
        case .htPrimeHalf: return max(0.5 * (sumPT + (wMass * wMass + w.pt2).squareRoot()), minimumScale)
        case .transverseMassHalf: return max(0.5 * (sumPT + (max(w.m2, 0) + w.pt2).squareRoot()), minimumScale)
        }
    }

    /// (μR, μF) in GeV.
    @inline(__always)
    public func scales(_ p: UnsafeBufferPointer<FourVector>, partons n: Int, wMass: Double) -> (muR: Double, muF: Double) {
        let mu = centralScale(p, partons: n, wMass: wMass)
        return (renormalizationFactor * mu, factorizationFactor * mu)
    }

    public func scales(_ momenta: [FourVector], partons n: Int, wMass: Double) -> (muR: Double, muF: Double) {
        momenta.withUnsafeBufferPointer { scales($0, partons: n, wMass: wMass) }
    }
}
