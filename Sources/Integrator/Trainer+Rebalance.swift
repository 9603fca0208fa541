// Re-dealing channels over the ranks after channels were dropped: the remaining channels' costs decide a new
// balanced plan; a channel that gains owners gets its flow (parameters and Adam state) broadcast from its
// first old owner, a rank that loses a channel forgets its flow. Every rank takes the same decisions from the
// same global numbers, and the broadcasts go channel by channel in the same order everywhere.
import Numerics
import Flows
import Cluster

/// What re-dealing needs beyond the trainer: the cost per channel and how to build a channel's flow.
public struct ChannelRebalancing {
    public var costs: [Double]
    public var grids: [VegasGrid]
    public var options: NeuralSamplerOptions
    public init(costs: [Double], grids: [VegasGrid], options: NeuralSamplerOptions) {
        self.costs = costs; self.grids = grids; self.options = options
    }
}

extension Trainer {
    func rebalance(_ r: ChannelRebalancing) {
        // Only the active channels are dealt; dropped ones keep their owners (nobody samples them).
        let live = (0..<plan.channelCount).filter { active[$0] }
        guard !live.isEmpty else { return }
        let dealt = ChannelPlan.balanced(costs: live.map { r.costs[$0] }, rank: plan.rank, size: plan.rankCount).owners
        var next = plan.owners
        for (k, c) in live.enumerated() { next[c] = dealt[k] }
        let newPlan = ChannelPlan(rank: plan.rank, rankCount: plan.rankCount, owners: next)
        guard newPlan != plan else { return }
        let width = densities.values.compactMap { ($0 as? FlowChannelDensity<Float>)?.flow.parameterCount }.first ?? 0
        let p = Int(communicator.allreduce(Int64(width), .max))
        epochs += 1
        let root = RandomStream(seed: configuration.seed)
        for c in 0..<plan.channelCount where active[c] && newPlan.owners[c] != plan.owners[c] {
            let source = plan.owners[c][0]
            var state = [Double](repeating: 0, count: 3 * p + 1)
            if plan.rank == source, let f = densities[c] as? FlowChannelDensity<Float> {
                let o = f.optimizerState
                state = f.flow.parameters.map(Double.init) + (o.m.count == p ? o.m.map(Double.init) : [Double](repeating: 0, count: p))
                    + (o.v.count == p ? o.v.map(Double.init) : [Double](repeating: 0, count: p)) + [Double(o.stepCount)]
            }
            communicator.broadcast(&state, root: source)
            if newPlan.owns(c) {
                let f = (densities[c] as? FlowChannelDensity<Float>) ?? {
                    let made = FlowChannelDensity<Float>(dimension: sampler.integrand.dimension, config: r.options.flow, seed: 0,
                                                         uniformFraction: r.options.uniformFraction)
                    made.place(on: r.grids[c], inGridCoordinates: r.options.flowsInGridCoordinates,
                               gridIsDefensive: r.options.defensiveMixtureUsesVegasGrid, start: false)
                    return made
                }()
                f.flow.parameters = state[0..<p].map { Float($0) }
                let steps = Int(state[3 * p])
                f.restoreOptimizer(m: steps > 0 ? state[p..<(2 * p)].map { Float($0) } : [],
                                   v: steps > 0 ? state[(2 * p)..<(3 * p)].map { Float($0) } : [], stepCount: steps)
                densities[c] = f
                // A fresh stream per owner and re-deal: no point is drawn twice.
                let slot = newPlan.slot(of: c) ?? 0
                rngs[c] = root.substream(UInt64(c)).substream(0xD1_0000 &+ UInt64(epochs) &* 4096 &+ UInt64(slot))
            } else {
                densities[c] = nil
            }
        }
        plan = newPlan
        // Stored points belong to the old shares.
        if let b = buffer { buffer = ReplayBuffer(capacity: b.capacity, reuses: b.reuses) }
    }
}
