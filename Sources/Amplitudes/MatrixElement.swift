// The matrix-element seam: what the physics integrand needs from amplitudes.
// Implemented by `TreeMatrixElement` (exact tree-level |M|², Berends–Giele in the colour-flow basis);
// `Process("p p > e+ ve j j")` parses a process string and returns its `[SubprocessGroup]`.
import Kinematics

/// A tree-level squared matrix element for one fixed flavour assignment.
public protocol MatrixElement: Sendable {
    /// External legs: two incoming, then the outgoing ones.
    var legCount: Int { get }
    /// |M|² summed over final-state and averaged over initial-state helicities and colours, including the
    /// identical-final-state-particle symmetry factor, at strong coupling `alphaS`.
    /// `momenta`: the two incoming (physical, positive energy, along ±z) then the outgoing, in this element's leg order.
    func squared(_ momenta: [FourVector], alphaS: Double) -> Double
    /// |M|² for a batch of points (one α_s per point); implementations may reuse work buffers across points.
    func squared(batch momenta: [[FourVector]], alphaS: [Double]) -> [Double]
    /// Work buffers for `squared(_:alphaS:buffers:)`, made once and reused point after point (one per thread).
    func makeBuffers() -> MatrixElementBuffers
    /// `squared(_:alphaS:)` in buffers from this element's `makeBuffers()`: no allocations per point.
    func squared(_ momenta: [FourVector], alphaS: Double, buffers: MatrixElementBuffers) -> Double
}

/// What a matrix element keeps between points (subclassed by elements that have something to keep).
open class MatrixElementBuffers {
    public init() {}
}

extension MatrixElement {
    public func makeBuffers() -> MatrixElementBuffers { MatrixElementBuffers() }
    public func squared(_ momenta: [FourVector], alphaS: Double, buffers: MatrixElementBuffers) -> Double {
        squared(momenta, alphaS: alphaS)
    }

    public func squared(batch momenta: [[FourVector]], alphaS: [Double]) -> [Double] {
        precondition(momenta.count == alphaS.count, "one alphaS per point")
        return momenta.indices.map { squared(momenta[$0], alphaS: alphaS[$0]) }
    }
}

/// One partonic subprocess: PDG ids of the two incoming and of the outgoing particles.
public struct Subprocess: Hashable, Sendable, CustomStringConvertible {
    public var incoming: [Int]
    public var outgoing: [Int]
    public init(incoming: [Int], outgoing: [Int]) {
        self.incoming = incoming
        self.outgoing = outgoing
    }
    public var description: String { "\(incoming.map(String.init).joined(separator: " ")) > \(outgoing.map(String.init).joined(separator: " "))" }
}

/// Subprocesses that share one matrix element (e.g. u d~ > e+ ve g and c s~ > e+ ve g with diagonal CKM):
/// their parton luminosities are summed and |M|² is evaluated once.
public struct SubprocessGroup: Sendable {
    /// Each member, with the leg order to use: momenta for `matrixElement` are `momenta[legOrder[i]]`
    /// where `momenta` follow the member's own order (incoming then outgoing).
    public var members: [(subprocess: Subprocess, legOrder: [Int])]
    public var matrixElement: any MatrixElement
    public init(members: [(subprocess: Subprocess, legOrder: [Int])], matrixElement: any MatrixElement) {
        self.members = members
        self.matrixElement = matrixElement
    }
}

extension SubprocessGroup {
    /// |M|² of member `member` at `momenta` given in that member's own leg order (incoming, then outgoing).
    public func squared(member: Int, _ momenta: [FourVector], alphaS: Double) -> Double {
        matrixElement.squared(members[member].legOrder.map { momenta[$0] }, alphaS: alphaS)
    }
}
