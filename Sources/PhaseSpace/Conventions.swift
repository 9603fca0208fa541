// Conventions shared by every phase-space map in this module (and by the Physics integrand).
//
// * Units: energies, momenta and masses in GeV; cross sections in pb. 1 GeV⁻² = 0.3894e9 pb
//   (ħc)² = 0.389379 mb·GeV² → `PhaseSpaceConstants.gevMinus2ToPb`.
// * Momenta: `FourVector` (E, px, py, pz), metric (+,−,−,−). Beam 1 travels along +z, beam 2 along −z;
//   incoming partons are p_a = x₁ √s/2 (1,0,0,1), p_b = x₂ √s/2 (1,0,0,−1) (massless, no intrinsic kT).
// * n-body phase space (the measure every "weight" refers to):
//       dΦₙ(P; p₁…pₙ) = (2π)⁴ δ⁴(P − Σ pᵢ) Πᵢ d³pᵢ / ((2π)³ 2Eᵢ),
//   so the massless two-body volume is Φ₂ = 1/(8π) and, in closed form (Kleiss, Stirling, Ellis 1986),
//       Φₙ(s) = (2π)^(4−3n) (π/2)^(n−1) s^(n−2) / ((n−1)! (n−2)!).
// * Factorisation of an s-channel invariant: dΦₙ = dΦ_{n−1}(…, q) dq²/(2π) dΦ₂(q → p₁ p₂).
// * Hadronic measure: a hadronic channel's `weight` is the Jacobian |∂(x₁, x₂, Φ)/∂y| with respect to
//   dx₁ dx₂ dΦₙ(p_a + p_b; final state). Its `density` is 1/weight (the probability density, per unit
//   dx₁ dx₂ dΦₙ, with which the channel produces the point). The flux factor 1/(2ŝ), PDFs and the
//   GeV⁻² → pb conversion belong to the integrand (module Physics), never to a map.
// * Final-state slots of W + n jets channels: 0 = p_a, 1 = p_b, 2 = charged lepton, 3 = neutrino,
//   4… = the n partons (all massless).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum PhaseSpaceConstants {
    /// (ħc)² in pb·GeV²: multiply a GeV⁻² cross section by this to get pb.
    public static let gevMinus2ToPb = 0.3894e9
    public static let twoPi = 2 * Double.pi
    /// 1/(2(2π)³): the factor of d³p/((2π)³ 2E) = (1/(2(2π)³)) d²p_T dy.
    public static let onePartonFactor = 1 / (2 * twoPi * twoPi * twoPi)
}

/// Closed-form volume of massless n-body phase space (n ≥ 2) at squared energy s, in the (2π) convention
/// above: Φₙ(s) = (2π)^(4−3n) (π/2)^(n−1) s^(n−2) / ((n−1)! (n−2)!).
public func masslessPhaseSpaceVolume(particles n: Int, s: Double) -> Double {
    precondition(n >= 2, "massless phase-space volume needs at least two particles")
    var factorials = 1.0
    for k in 1..<n { factorials *= Double(k) }          // (n−1)!
    for k in 1..<(n - 1) { factorials *= Double(k) }    // (n−2)!
    let twoPiPower = pow(2 * Double.pi, Double(4 - 3 * n))
    return twoPiPower * pow(Double.pi / 2, Double(n - 1)) * pow(s, Double(n - 2)) / factorials
}

/// Källén function λ(a, b, c) = a² + b² + c² − 2ab − 2ac − 2bc.
@inline(__always)
public func kallen(_ a: Double, _ b: Double, _ c: Double) -> Double {
    a * a + b * b + c * c - 2 * (a * b + a * c + b * c)
}
