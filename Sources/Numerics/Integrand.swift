// The seam between physics (or toy) integrands and the sampler. It lives here, below both, so that
// Physics knows nothing of flows and the Integrator knows nothing of physics.

/// What an integrand returns for a batch of n points of one channel.
public struct ChannelEvaluation: Sendable {
    /// f(x(y)) · |∂x/∂y| for each point: the integrand times the channel mapping's Jacobian
    /// (0 where cuts fail). Integrating this over y ∈ [0,1]^d with α_c gives channel c's share.
    public var value: [Double]
    /// n × C prior channel weights α⁰_i(x) (rows sum to 1), or an empty matrix when the integrand has none.
    public var priorWeights: MatrixD
    /// n × k inputs of the channel-weight network (for example the point in a channel-independent
    /// parametrisation); empty means "use y".
    public var features: MatrixD
    /// Non-finite values met in this batch (those points have value 0), by source.
    public var faults = NumericalFaults()

    public init(value: [Double] = [], priorWeights: MatrixD = MatrixD(rows: 0, cols: 0),
                features: MatrixD = MatrixD(rows: 0, cols: 0)) {
        self.value = value
        self.priorWeights = priorWeights
        self.features = features
    }
}

/// A multi-channel integrand on the unit hypercube: channel c maps y ∈ [0,1]^d to the physical space.
/// I = Σ_c ∫ dy α_c(x(y)) · value_c(y), with Σ_c α_c = 1.
public protocol Integrand {
    var dimension: Int { get }
    var channelCount: Int { get }
    /// Number of columns of `features` (0 when features are y itself).
    var featureCount: Int { get }
    /// Evaluate a batch (rows of `points`, n × dimension, entries in (0,1)) for one channel.
    func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation)
}
