// Unweighting figures of a multi-channel pass: each channel's events are unweighted against their own maximum
// weight W_c, as the event generator does, and the channels' figures are combined into what the generator
// achieves. The generator picks channel c with probability W_c/ΣW and keeps a point with probability |w|/W_c,
// so it keeps Σ_c⟨|w|⟩_c/ΣW_c of its trials: with ε_c = ⟨|w|⟩_c/W_c and the shares s_c = |I_c|/Σ|I| (equal to
// the ⟨|w|⟩ shares without negative weights), ε = 1/Σ_c(s_c/ε_c), a share-weighted harmonic mean. The
// arithmetic mean Σ_c s_c·ε_c (the headline's figure until session 11) overstates that whenever the channels'
// ε differ. Used by IntegrationPass for its own estimator, and afterwards on the weights a pass kept, for a
// second maximum-weight policy on the same events (the headline table reports the bootstrap median and the
// reduced maximum side by side).
import Numerics
import Cluster

public struct ChannelCombinedUnweighting: Sendable, Equatable {
    /// Σ_c s_c/ε_c (this rank's part before `reduced`): the generator's trials per kept event.
    public var trialsPerEvent = 0.0
    /// Σ_c s_c·ε_c, the share-weighted arithmetic mean, kept to compare with tables made before session 11.
    public var shareWeightedEfficiency = 0.0
    public var overweightFraction = 0.0
    public var overweightShare = 0.0

    /// The fraction of trials the event generator keeps with these channel maxima, 1/Σ_c(s_c/ε_c) (after `reduced`).
    public var efficiency: Double { trialsPerEvent > 0 ? 1 / trialsPerEvent : 0 }

    public init() {}

    /// This rank's contribution. `weights[c]`: channel c's weights on this rank; `means`, `counts`: the channels'
    /// integrals and point counts summed over ranks; `rng(c)`: the stream channel c's estimator may draw from.
    /// A channel shared by several ranks contributes the fraction of its points this rank holds.
    public static func localContribution(weights: [Int: [Double]], means: [Double], counts: [Int64], unweighter: Unweighter,
                                         rng: (Int) -> RandomStream) -> ChannelCombinedUnweighting {
        var combined = ChannelCombinedUnweighting()
        let absTotal = means.reduce(0) { $0 + abs($1) }
        guard absTotal > 0 else { return combined }
        let summaries = channelSummaries(weights: weights.filter { counts[$0.key] > 0 }, unweighter: unweighter, rng: rng)
        for (channel, summary) in summaries.sorted(by: { $0.key < $1.key }) {
            let share = abs(means[channel]) / absTotal * Double(weights[channel]!.count) / Double(counts[channel])
            if summary.efficiency > 0 { combined.trialsPerEvent += share / summary.efficiency }
            combined.shareWeightedEfficiency += share * summary.efficiency
            combined.overweightFraction += share * summary.overweightFraction
            combined.overweightShare += share * summary.overweightShare
        }
        return combined
    }

    /// Each channel's own figures from its (non-empty) weights, channel c drawing from `rng(c)`.
    public static func channelSummaries(weights: [Int: [Double]], unweighter: Unweighter,
                                        rng: (Int) -> RandomStream) -> [Int: UnweightingSummary] {
        var summaries: [Int: UnweightingSummary] = [:]
        for (channel, w) in weights where !w.isEmpty {
            var stream = rng(channel)
            summaries[channel] = unweighter.summary(w, rng: &stream)
        }
        return summaries
    }

    /// The contributions of all ranks summed.
    public func reduced(over communicator: any Communicator) -> ChannelCombinedUnweighting {
        var figures = [trialsPerEvent, shareWeightedEfficiency, overweightFraction, overweightShare]
        communicator.allreduce(&figures, .sum)
        var total = ChannelCombinedUnweighting()
        total.trialsPerEvent = figures[0]; total.shareWeightedEfficiency = figures[1]
        total.overweightFraction = figures[2]; total.overweightShare = figures[3]
        return total
    }
}

public extension IntegrationResult {
    /// The combined unweighting figures of this pass's events under `estimator`; needs the pass to have kept its
    /// weights (`keepWeights: true`). `seed` feeds estimators that resample (the bootstrap median).
    func unweighting(with estimator: MaximumWeightEstimator, seed: UInt64 = 0xB007,
                     communicator: any Communicator) -> ChannelCombinedUnweighting {
        ChannelCombinedUnweighting.localContribution(
            weights: localWeights, means: channelIntegrals, counts: channelCounts, unweighter: Unweighter(estimator: estimator),
            rng: { RandomStream(seed: seed, stream: UInt64($0)) }).reduced(over: communicator)
    }

    /// Each channel's unweighting figures from this rank's kept weights, with the same streams as `unweighting`.
    func localChannelFigures(with estimator: MaximumWeightEstimator, seed: UInt64 = 0xB007) -> [Int: UnweightingSummary] {
        ChannelCombinedUnweighting.channelSummaries(weights: localWeights, unweighter: Unweighter(estimator: estimator),
                                                    rng: { RandomStream(seed: seed, stream: UInt64($0)) })
    }
}
