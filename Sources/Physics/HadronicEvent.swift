// One generated parton-level event, ready for event output.
import Amplitudes
import Kinematics

public struct HadronicEvent: Sendable {
    /// The flavours: incoming (beam 1, beam 2) and outgoing PDG ids.
    public var subprocess: Subprocess
    /// Momenta in the subprocess's order: the two incoming, then the outgoing (GeV, lab frame).
    public var momenta: [FourVector]
    public var x1: Double
    public var x2: Double
    /// Renormalisation and factorisation scales (GeV) and αs(μR).
    public var muR: Double
    public var muF: Double
    public var alphaS: Double
    /// f · |∂x/∂y| in pb for the generating channel (multiply by α_c and divide by the sampling density of y
    /// for the event weight).
    public var weight: Double
}
