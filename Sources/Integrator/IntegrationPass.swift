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
    public func run(points: Int, batchSize: Int, densities: [Int: any ChannelDensity], channelWeights: any ChannelWeights,
                    active: [Bool], standardDeviations: [Double], rngs: inout [RandomStream],
                    communicator: any Communicator, observe: Bool = false) -> (IntegrationResult, ChannelStatistics) {
        let start = communicator.wallTime()
        let c = plan.channelCount
        let counts = allocation.allocate(total: points, standardDeviations: standardDeviations, active: active)
        var stats = ChannelStatistics(channelCount: c)
        var weightsPerChannel = [Int: [Double]]()
        var remaining = counts
        var calls: Int64 = 0
        // Batches of at most batchSize per channel keep memory bounded for large passes.
        while plan.ownedChannels.contains(where: { remaining[$0] > 0 }) {
            var batches = [ChannelBatch]()
            for ch in plan.ownedChannels where active[ch] && remaining[ch] > 0 {
                let n = min(remaining[ch], max(batchSize, 1))
                remaining[ch] -= n
                guard let density = densities[ch] else { continue }
                batches.append(sampler.sample(channel: ch, count: n, density: density, rng: &rngs[ch]))
            }
            ChannelBatchSampler.assignChannelWeights(&batches, model: channelWeights, active: active)
            for b in batches {
                let w = b.weights
                stats.add(channel: b.channel, weights: w)
                weightsPerChannel[b.channel, default: []].append(contentsOf: w)
                calls += Int64(b.count)
                if observe { densities[b.channel]?.observe(points: b.points, weights: w) }
            }
        }
        let global = stats.reduced(over: communicator)
        // Unweighting per owned channel, combined by |I_c| share: Σ_c share_c·eff_c reduced over ranks.
        var figures = [Double](repeating: 0, count: 3)
        let absTotal = global.means.reduce(0) { $0 + abs($1) }
        for ch in plan.ownedChannels {
            guard let w = weightsPerChannel[ch], !w.isEmpty, absTotal > 0 else { continue }
            var rng = rngs[ch].substream(0xB007)
            let summary = unweighter.summary(w, rng: &rng)
            let share = abs(global.mean(ch)) / absTotal
            figures[0] += share * summary.efficiency
            figures[1] += share * summary.overweightFraction
            figures[2] += share * summary.overweightShare
        }
        communicator.allreduce(&figures, .sum)
        let totalCalls = communicator.allreduce(calls, .sum)
        let result = IntegrationResult(
            integral: global.integral, error: global.error, channelIntegrals: global.means,
            channelErrors: (0..<c).map(global.channelError), channelCounts: global.counts,
            relativeStandardDeviation: global.relativeStandardDeviation, unweightingEfficiency: figures[0],
            overweightFraction: figures[1], overweightShare: figures[2], integrandCalls: totalCalls,
            seconds: communicator.wallTime() - start)
        return (result, global)
    }
}
