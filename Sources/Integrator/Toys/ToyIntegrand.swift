// Toy integrands with exactly known integrals: the yardstick for the sampler's correctness and speed.
import Numerics

/// An `Integrand` whose integral over its domain is known in closed form.
public protocol ToyIntegrand: Integrand {
    /// Short name used on the command line and in reports.
    var name: String { get }
    /// The exact value of I = ∫ f(x) dx over the domain (analytic, e.g. through erf or atan).
    var exactIntegral: Double { get }
}

/// Bad toy parameters: the message names the offending parameter.
public struct ToyIntegrandError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ message: String) { description = message }
}

func requireToy(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ToyIntegrandError(message()) }
}
