// One measurement pass of a prepared sampler (adapted VEGAS or trained NIS) on a fresh sample, with its
// unweighting efficiency under two maximum-weight policies applied to the same events: the pass's own
// estimator (the headline default, median of 100 bootstrap maxima) and the reduced maximum (default: the
// smallest w_max whose overweight events carry at most 0.1 % of σ, event generation's policy).
import Numerics
import Cluster

public struct SamplerMeasurement: Sendable {
    /// The pass's figures; `unweightingEfficiency` is under the pass's estimator. Its weights are not kept.
    public var result: IntegrationResult
    /// Efficiency of the same events under the reduced-maximum policy, combined over channels as the generator
    /// keeps events (`ChannelCombinedUnweighting`).
    public var reducedMaximumEfficiency: Double
    /// The same, as the share-weighted arithmetic mean of the channels' efficiencies (tables before session 11).
    public var reducedMaximumShareWeightedEfficiency = 0.0
    /// CPU seconds of the pass (one thread; the reduced-maximum estimate afterwards is not included).
    public var cpuSeconds: Double
    /// Each channel's figures under the pass's estimator, from this rank's weights (all of them on one rank):
    /// which channels hold the combined efficiency down. Re-estimated on the kept weights with the streams of
    /// `IntegrationResult.unweighting`, so a resampling estimator can differ slightly from the pass's own figure.
    public var channelFigures: [Int: UnweightingSummary] = [:]

    public init(result: IntegrationResult, reducedMaximumEfficiency: Double, cpuSeconds: Double,
                channelFigures: [Int: UnweightingSummary] = [:]) {
        self.result = result; self.reducedMaximumEfficiency = reducedMaximumEfficiency; self.cpuSeconds = cpuSeconds
        self.channelFigures = channelFigures
    }

    /// Run `pass` (which must keep its weights) under `estimator` and re-estimate its events under `reduced`.
    public static func take(estimator: MaximumWeightEstimator, reduced: MaximumWeightEstimator, communicator: any Communicator,
                            _ pass: (Unweighter) -> IntegrationResult) -> SamplerMeasurement {
        let cpu0 = processCPUSeconds()
        var result = pass(Unweighter(estimator: estimator))
        let cpu = processCPUSeconds() - cpu0
        let reducedFigures = result.unweighting(with: reduced, communicator: communicator)
        let figures = result.localChannelFigures(with: estimator)
        result.localWeights = [:]
        var m = SamplerMeasurement(result: result, reducedMaximumEfficiency: reducedFigures.efficiency, cpuSeconds: cpu, channelFigures: figures)
        m.reducedMaximumShareWeightedEfficiency = reducedFigures.shareWeightedEfficiency
        return m
    }

    /// Unweighted events per CPU second in generation, efficiency × points / CPU time of the pass.
    public func unweightedPerCPUSecond(efficiency: Double) -> Double {
        cpuSeconds > 0 ? efficiency * Double(result.integrandCalls) / cpuSeconds : 0
    }
    public var unweightedPerCPUSecond: Double { unweightedPerCPUSecond(efficiency: result.unweightingEfficiency) }
    public var reducedUnweightedPerCPUSecond: Double { unweightedPerCPUSecond(efficiency: reducedMaximumEfficiency) }
}
