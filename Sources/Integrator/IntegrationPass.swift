// A pure integration pass (no training): stratified sampling of every owned active channel, statistics reduced
// over the communicator, unweighting figures per channel combined by integral share. Shared by the neural
// sampler and the VEGAS baseline so both are measured the same way.
import Numerics
import Cluster

public struct IntegrationPass {
    public var sampler: ChannelBatchSampler
    public var plan: ChannelPlan
    public var allocation: ChannelAllocation
    public var unweighter: Unweighter

    public init(sampler: ChannelBatchSampler, plan: ChannelPlan, allocation: ChannelAllocation, unweighter: Unweighter) {
        self.sampler = sampler
        self.plan = plan
        self.allocation = allocation
        self.unweighter = unweighter
    }

    /// Integrate with `points` points in batches of at most `batchSize`, allocating by `standardDeviations`.
    /// `rngs[c]` is channel c's stream (advanced). `observe` (if set) sees every batch's points and weights.
    /// `keepWeights`: the result carries this rank's weights per channel (for maximum-weight surveys).
    public func run(points: Int, batchSize: Int, densities: [Int: any ChannelDensity], channelWeights: any ChannelWeights,
                    active: [Bool], standardDeviations: [Double], rngs: inout [RandomStream],
                    communicator: any Communicator, observe: Bool = false, keepWeights: Bool = false) -> (IntegrationResult, ChannelStatistics) {
        let start = communicator.wallTime()
        let c = plan.channelCount
        let counts = allocation.allocate(total: points, standardDeviations: standardDeviations, active: active)
        var stats = ChannelStatistics(channelCount: c)
        var weightsPerChannel = [Int: [Double]]()
        // Ranks sharing a channel split its points.
        var remaining = (0..<c).map { plan.localCount($0, total: counts[$0]) }
        var calls: Int64 = 0
        var seconds = [Double](repeating: 0, count: c)
        // Batches of at most batchSize per channel keep memory bounded for large passes.
        while plan.ownedChannels.contains(where: { remaining[$0] > 0 }) {
            var batches = [ChannelBatch]()
            for ch in plan.ownedChannels where active[ch] && remaining[ch] > 0 {
                let n = min(remaining[ch], max(batchSize, 1))
                remaining[ch] -= n
                guard let density = densities[ch] else { continue }
                let t0 = communicator.wallTime()
                batches.append(sampler.sample(channel: ch, count: n, density: density, rng: &rngs[ch]))
                seconds[ch] += communicator.wallTime() - t0
            }
            sampler.assignChannelWeights(&batches, model: channelWeights, active: active, densities: densities)
            for b in batches {
                let w = b.weights
                stats.add(channel: b.channel, weights: w)
                weightsPerChannel[b.channel, default: []].append(contentsOf: w)
                calls += Int64(b.count)
                if observe { densities[b.channel]?.observe(points: b.points, weights: w) }
            }
        }
        let global = stats.reduced(over: communicator)
        // Unweighting per owned channel, combined by |I_c| share over ranks.
        let figures = ChannelCombinedUnweighting.localContribution(
            weights: weightsPerChannel, means: global.means, counts: global.counts, unweighter: unweighter,
            rng: { rngs[$0].substream(0xB007) }).reduced(over: communicator)
        communicator.allreduce(&seconds, .sum)
        let totalCalls = communicator.allreduce(calls, .sum)
        let result = IntegrationResult(
            integral: global.integral, error: global.error, channelIntegrals: global.means,
            channelErrors: (0..<c).map(global.channelError), channelCounts: global.counts,
            relativeStandardDeviation: global.relativeStandardDeviation, unweightingEfficiency: figures.efficiency,
            overweightFraction: figures.overweightFraction, overweightShare: figures.overweightShare, integrandCalls: totalCalls,
            seconds: communicator.wallTime() - start, channelSeconds: seconds,
            localWeights: keepWeights ? weightsPerChannel : [:], shareWeightedEfficiency: figures.shareWeightedEfficiency)
        return (result, global)
    }
}
