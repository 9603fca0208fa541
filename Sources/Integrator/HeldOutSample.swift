// A fixed held-out sample that scores states of training: points drawn once per channel from the channel's
// VEGAS grid q (where the flows start) with their integrand values. Any later sampler g is scored on the same
// points by reweighting: E_g[w²] = E_q[(α f)² / (q g)], so a step that lets g fall far below α f where the grid
// still samples — the weight tail behind issue #11's W + 3 jet failure — raises the held-out variance at
// once, even while the sampler's own points rarely land in the tail.
import Numerics
import Flows
import Cluster

/// What the held-out sample says of one state of the sampler (identical on every rank).
public struct HeldOutFigures: Sendable, Equatable {
    /// Σ_c σ_c / |Σ_c I_c|: the relative standard deviation per point when points are allocated ∝ σ_c, as the
    /// measurement and generation allocate them. Lower is better; +∞ when g vanishes where α f does not.
    public var relativeStandardDeviation: Double
    /// σ_c of one point of channel c's share (the measurement's allocation estimate).
    public var channelStandardDeviations: [Double]
    public var integral: Double
}

public final class HeldOutSample {
    /// This rank's part of each channel's points; `logQSample` is the grid's log density.
    let batches: [ChannelBatch]
    /// Integrand calls of the whole sample, summed over ranks (made once, when the sample is drawn).
    public let integrandCalls: Int64

    /// `points` in all, split evenly over the channels; a channel shared by several ranks is split over its
    /// owners by position in one sequence, so the sample as a whole does not depend on the plan. Collective.
    public init(sampler: ChannelBatchSampler, grids: [VegasGrid], plan: ChannelPlan, points: Int, seed: UInt64,
                communicator: any Communicator) {
        let c = plan.channelCount
        let perChannel = max(points / max(c, 1), 1)
        let root = RandomStream(seed: seed, stream: 0x4E1D_0075)
        var batches = [ChannelBatch]()
        for ch in plan.ownedChannels {
            guard let slot = plan.slot(of: ch) else { continue }
            let k = plan.owners[ch].count
            let lower = perChannel * slot / k, upper = perChannel * (slot + 1) / k
            let d = grids[ch].dimension
            var rng = root.substream(UInt64(ch))
            var all = [Double](repeating: 0, count: perChannel * d)
            rng.fillUniform(&all)
            var u = MatrixD(rows: upper - lower, cols: d)
            u.storage = Array(all[(lower * d)..<(upper * d)])
            let (y, jacobian) = grids[ch].map(u)
            batches.append(sampler.evaluate(channel: ch, points: y, logQSample: jacobian.map { -_log($0) }))
        }
        self.batches = batches
        integrandCalls = communicator.allreduce(Int64(batches.reduce(0) { $0 + $1.count }), .sum)
    }

    /// Score the sampler made of `densities` and `channelWeights` (collective: sums over ranks).
    public func figures(densities: [Int: any ChannelDensity], channelWeights: any ChannelWeights, active: [Bool],
                        sampler: ChannelBatchSampler, communicator: any Communicator) -> HeldOutFigures {
        let c = active.count
        var scored = batches.filter { active[$0.channel] && densities[$0.channel] != nil }
        // Each channel's own density at its points, computed once: the density-aware weights need it too, so
        // they get it in place of the grid's (as if the points were fresh), and the grid's comes back after.
        let logGOwn = scored.map { $0.count > 0 ? densities[$0.channel]!.logDensity($0.points) : [] }
        let logQGrid = scored.map(\.logQSample)
        for k in scored.indices { scored[k].logQSample = logGOwn[k] }
        sampler.assignChannelWeights(&scored, model: channelWeights, active: active, densities: densities,
                                     sampledByCurrentDensities: true)
        for k in scored.indices { scored[k].logQSample = logQGrid[k] }
        // Per channel: Σ w_q, Σ w_q² q/g and the point count, with w_q = α f / q the weight under the grid.
        var sums = [Double](repeating: 0, count: 3 * c)
        for (k, b) in scored.enumerated() {
            let logG = logGOwn[k]
            for i in 0..<b.count {
                let wq = b.alpha[i] * b.value[i] * _exp(-b.logQSample[i])
                guard wq != 0 else { continue }
                sums[3 * b.channel] += wq
                sums[3 * b.channel + 1] += wq * wq * _exp(b.logQSample[i] - logG[i])
            }
            sums[3 * b.channel + 2] += Double(b.count)
        }
        communicator.allreduce(&sums, .sum)
        var sigmas = [Double](repeating: 0, count: c)
        var integral = 0.0, sigmaSum = 0.0
        for ch in 0..<c where active[ch] && sums[3 * ch + 2] > 0 {
            let n = sums[3 * ch + 2]
            let mean = sums[3 * ch] / n, second = sums[3 * ch + 1] / n
            let variance = second - mean * mean
            // NaN (a density that is NaN somewhere) counts as the worst possible state.
            sigmas[ch] = variance.isNaN ? .infinity : max(variance, 0).squareRoot()
            integral += mean
            sigmaSum += sigmas[ch]
        }
        let relative = abs(integral) > 0 ? sigmaSum / abs(integral) : .infinity
        return HeldOutFigures(relativeStandardDeviation: relative.isNaN ? .infinity : relative,
                              channelStandardDeviations: sigmas, integral: integral)
    }
}
