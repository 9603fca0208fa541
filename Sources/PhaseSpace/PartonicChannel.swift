// Maps at fixed partonic energy: y ∈ [0,1]^d → n momenta in the centre-of-mass frame, P = (√ŝ, 0, 0, 0).
import Kinematics

/// A phase-space map at fixed ŝ. Its `weight` is the Jacobian with respect to dΦₙ(P; p₁…pₙ) in the
/// convention of `Conventions.swift`; its density is 1/weight.
public protocol PartonicChannel: Sendable {
    /// Number of outgoing particles n.
    var particleCount: Int { get }
    /// Number of uniform numbers one point consumes.
    var dimension: Int { get }
    /// Writes n momenta into out[offset ..< offset+n] and returns the weight (0 when the point is unphysical).
    func map(_ y: UnsafeBufferPointer<Double>, sHat: Double, into out: inout [FourVector], offset: Int) -> Double
    /// Density (1/weight) with which this channel produces the given momenta (CM frame, total √ŝ at rest).
    func density(of momenta: ArraySlice<FourVector>, sHat: Double) -> Double
}
