// Channel weights α_c(x): a partition of unity over the active channels. `PriorChannelWeights` uses the
// integrand's prior (or a uniform split); `ChannelWeightNetwork` learns a correction on top of it.
import Numerics
import Cluster

public protocol ChannelWeights: AnyObject {
    var channelCount: Int { get }
    /// α (n × C) for n points given their features and prior weights (n × C, or empty for uniform);
    /// inactive channels get 0 and the active ones sum to 1. Remembers what `backward` needs.
    func forward(features: MatrixD, prior: MatrixD, active: [Bool]) -> MatrixD
    /// Accumulate parameter gradients from dL/dα (n × C) for the points of the last `forward`.
    func backward(_ dAlpha: MatrixD)
    /// Sum gradients over ranks (the net is shared by all ranks), clip and take one optimiser step.
    func step(learningRate: Double, communicator: any Communicator)
    var isTrainable: Bool { get }
    /// Whether the prior input is every channel's density at the point, g_j/Σ_k g_k, instead of the
    /// integrand's prior (density-aware channel weights, see DensityAwareChannelWeights.swift).
    var usesChannelDensities: Bool { get }
}

/// α = prior restricted to the active channels and renormalised; uniform over them without a prior
/// (or where the prior vanishes on every active channel). With `usesChannelDensities` this is the balance
/// heuristic of the current channel densities, α_j = g_j/Σ_k g_k.
public final class PriorChannelWeights: ChannelWeights {
    public let channelCount: Int
    public let usesChannelDensities: Bool
    public init(channelCount: Int, usesChannelDensities: Bool = false) {
        self.channelCount = channelCount
        self.usesChannelDensities = usesChannelDensities
    }

    public func forward(features: MatrixD, prior: MatrixD, active: [Bool]) -> MatrixD {
        let n = features.rows, c = channelCount
        precondition(active.count == c)
        let activeCount = Double(active.filter { $0 }.count)
        var alpha = MatrixD(rows: n, cols: c)
        let hasPrior = prior.rows == n && prior.cols == c && n > 0
        for i in 0..<n {
            var sum = 0.0
            if hasPrior { for k in 0..<c where active[k] { sum += prior.storage[i &* c &+ k] } }
            for k in 0..<c where active[k] {
                alpha.storage[i &* c &+ k] = sum > 0 ? prior.storage[i &* c &+ k] / sum : 1 / activeCount
            }
        }
        return alpha
    }
    public func backward(_ dAlpha: MatrixD) {}
    public func step(learningRate: Double, communicator: any Communicator) {}
    public var isTrainable: Bool { false }
}
