// Electroweak parameters in the Gμ scheme: inputs MZ, MW, GF; α and sin²θW derived (tree level).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct StandardModel: Equatable, Sendable, Codable {
    public var mZ = 91.188
    public var mW = 80.419
    public var gF = 1.16639e-5
    public var widthW = 2.0476
    public var widthZ = 2.4414
    /// Cabibbo angle; 0 gives the diagonal CKM matrix (the default).
    public var cabibboAngle = 0.0

    public init() {}

    /// sin²θW = 1 − MW²/MZ² (on-shell definition used in the Gμ scheme).
    public var sin2ThetaW: Double { 1 - (mW * mW) / (mZ * mZ) }
    /// α_Gμ = √2 GF MW² sin²θW / π.
    public var alpha: Double { 2.0.squareRoot() * gF * mW * mW * sin2ThetaW / Double.pi }
    /// Electromagnetic coupling e = √(4πα).
    public var e: Double { (4 * Double.pi * alpha).squareRoot() }
    /// SU(2) coupling gW = e / sinθW; the W–fermion vertex is −i gW/√2 γ^μ P_L (times CKM).
    public var gW: Double { e / sin2ThetaW.squareRoot() }

    /// |V_ij| for up-type quark `up` (2 = u, 4 = c, 6 = t) and down-type `down` (1 = d, 3 = s, 5 = b), PDG ids ≥ 0.
    public func ckm(up: Int, down: Int) -> Double {
        let c = cos(cabibboAngle), s = sin(cabibboAngle)
        switch (up, down) {
        case (2, 1), (4, 3): return c
        case (2, 3): return s
        case (4, 1): return s   // magnitude; the sign does not enter |M|² for one W
        case (6, 5): return 1
        default: return 0
        }
    }

    /// A readable table of every parameter, for logs and run summaries.
    public var summary: String {
        """
        MZ = \(mZ) GeV, MW = \(mW) GeV, GF = \(gF) GeV^-2, Gamma_W = \(widthW) GeV, Gamma_Z = \(widthZ) GeV
        scheme: G_mu; sin^2(theta_W) = \(sin2ThetaW), 1/alpha = \(1 / alpha), Cabibbo angle = \(cabibboAngle)
        """
    }
}
