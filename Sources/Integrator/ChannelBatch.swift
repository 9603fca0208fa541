// One channel's sampled points with everything the loss, statistics and buffer need (struct of arrays).
import Numerics

public struct ChannelBatch: Sendable {
    public var channel: Int
    public var points: MatrixD          // y ∈ [0,1]^d, n × d
    public var logQSample: [Double]     // log density the points were drawn from
    public var value: [Double]          // f·|∂x/∂y|
    public var features: MatrixD        // channel-weight net inputs
    public var priorWeights: MatrixD    // n × C or empty
    public var alpha: [Double] = []     // α_channel(x_i), filled by `ChannelBatchSampler.assignChannelWeights`
    public var faults = NumericalFaults() // non-finite values the integrand met (those points have value 0)

    public var count: Int { value.count }

    /// w_i = α_i · v_i / q_s(y_i): the Monte Carlo weights of this channel's share of the integral.
    public var weights: [Double] {
        var w = [Double](repeating: 0, count: count)
        for i in 0..<count { w[i] = alpha[i] * value[i] * _exp(-logQSample[i]) }
        return w
    }
}

/// Draws points of one channel through its density and evaluates the integrand; assigns channel weights to
/// several channels' batches with one pass of the (shared) channel-weight model.
public struct ChannelBatchSampler {
    public let integrand: any Integrand

    public init(integrand: any Integrand) { self.integrand = integrand }

    /// `forTraining`: the density keeps its backward state and `logQSample` is also the training pass's log q.
    public func sample(channel: Int, count: Int, density: any ChannelDensity, rng: inout RandomStream,
                       forTraining: Bool = false) -> ChannelBatch {
        let (y, logQ) = forTraining ? density.sampleForTraining(count: count, rng: &rng) : density.sample(count: count, rng: &rng)
        return evaluate(channel: channel, points: y, logQSample: logQ)
    }

    public func evaluate(channel: Int, points: MatrixD, logQSample: [Double]) -> ChannelBatch {
        var evaluation = ChannelEvaluation()
        integrand.evaluate(channel: channel, points: points, into: &evaluation)
        precondition(evaluation.value.count == points.rows, "integrand returned \(evaluation.value.count) values for \(points.rows) points")
        let features = integrand.featureCount > 0 ? evaluation.features : points
        return ChannelBatch(channel: channel, points: points, logQSample: logQSample, value: evaluation.value,
                            features: features, priorWeights: evaluation.priorWeights, faults: evaluation.faults)
    }

    /// Stack the batches' features and priors, run the channel weights once and store α_c in each batch.
    /// The model's forward cache then refers to the stacked rows (see `stackedGradient`).
    public static func assignChannelWeights(_ batches: inout [ChannelBatch], model: any ChannelWeights, active: [Bool]) {
        let total = batches.reduce(0) { $0 + $1.count }
        guard let first = batches.first else { return }
        let k = first.features.cols, c = model.channelCount
        let hasPrior = batches.allSatisfy { $0.priorWeights.rows == $0.count && $0.priorWeights.cols == c }
        var features = MatrixD(rows: total, cols: k)
        var prior = MatrixD(rows: hasPrior ? total : 0, cols: hasPrior ? c : 0)
        var row = 0
        for b in batches {
            features.storage.replaceSubrange((row * k)..<((row + b.count) * k), with: b.features.storage)
            if hasPrior { prior.storage.replaceSubrange((row * c)..<((row + b.count) * c), with: b.priorWeights.storage) }
            row += b.count
        }
        let alpha = model.forward(features: features, prior: prior, active: active)
        row = 0
        for j in batches.indices {
            let ch = batches[j].channel
            batches[j].alpha = (0..<batches[j].count).map { alpha.storage[(row + $0) &* c &+ ch] }
            row += batches[j].count
        }
    }

    /// dL/dα as the stacked n × C matrix the channel-weight model's backward expects (only column c of each
    /// channel's rows is non-zero: the loss sees α_c for points of channel c).
    public static func stackedGradient(_ batches: [ChannelBatch], dAlpha: [[Double]], channelCount c: Int) -> MatrixD {
        let total = batches.reduce(0) { $0 + $1.count }
        var g = MatrixD(rows: total, cols: c)
        var row = 0
        for (j, b) in batches.enumerated() {
            for i in 0..<b.count { g.storage[(row + i) &* c &+ b.channel] = dAlpha[j][i] }
            row += b.count
        }
        return g
    }
}
