// Errors of phase-space construction: every message names the offending quantity.

public enum PhaseSpaceError: Error, Equatable, CustomStringConvertible {
    /// A map or channel was given an empty, negative or non-finite range.
    case invalidRange(String)
    /// The collider energy cannot produce the requested final state.
    case energyTooLow(sqrtS: Double, threshold: Double)
    /// A channel was requested for an unsupported multiplicity or topology.
    case unsupportedTopology(String)

    public var description: String {
        switch self {
        case .invalidRange(let s): return "invalid phase-space range: \(s)"
        case .energyTooLow(let e, let t):
            return "collider energy √s = \(e) GeV is below the threshold \(t) GeV of the requested final state"
        case .unsupportedTopology(let s): return "unsupported phase-space topology: \(s)"
        }
    }
}
