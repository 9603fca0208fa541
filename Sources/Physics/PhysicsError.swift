// Errors of the physics integrand: each names the offending input.
import Numerics

public enum PhysicsError: Error, Equatable, CustomStringConvertible {
    case invalidCut(String)
    case invalidSetup(String)
    case invalidScale(String)
    case energyTooLow(sqrtS: Double, threshold: Double)
    case invalidProcess(String)
    case invalidChannels(String)
    case invalidPoint(String)
    case nonFiniteMomentum(channel: Int, point: Int)
    /// A NaN or infinity from the PDF set, the matrix element or the product of finite factors.
    case nonFiniteValue(channel: Int, point: Int, source: NumericalFaults.Source)

    public var description: String {
        switch self {
        case .invalidCut(let s): return "invalid cut: \(s)"
        case .invalidSetup(let s): return "invalid collision setup: \(s)"
        case .invalidScale(let s): return "invalid scale setting: \(s)"
        case .energyTooLow(let e, let t):
            return "collider energy √s = \(e) GeV is too small: the process needs more than \(t) GeV"
        case .invalidProcess(let s): return "invalid process: \(s)"
        case .invalidChannels(let s): return "invalid channel set: \(s)"
        case .invalidPoint(let s): return "invalid phase-space point: \(s)"
        case .nonFiniteMomentum(let c, let i):
            return "channel \(c) produced a non-finite (NaN or infinite) momentum or weight at point \(i) of the batch"
        case .nonFiniteValue(let c, let i, let source):
            return "\(source.description) gave a non-finite (NaN or infinite) value at point \(i) of the batch in channel \(c)"
        }
    }
}
