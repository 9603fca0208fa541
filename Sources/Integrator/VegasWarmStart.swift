// NIS started from an adapted multi-channel VEGAS baseline (MadNIS Reloaded, arXiv:2311.01548 §3.4): each
// channel's flow starts from that channel's VEGAS grid, so the neural sampler begins exactly where the
// baseline ended and its training cost is counted on top of the baseline's adaptation (one warm-up for both,
// which is what a user pays when comparing the two, and what makes "training improved on the warm-up" a
// statement about the same sampler).
import Numerics
import Flows
import Cluster

public extension NeuralSamplerFactory {
    /// One flow per channel owned by `baseline.plan`, initialised from the baseline's grids; the trainer's
    /// pre-training calls and seconds are the baseline's adaptation calls and seconds so far.
    /// `options.vegasPretraining` is ignored (the baseline is the pre-training).
    static func makeTrainer(integrand: any Integrand, configuration: TrainerConfiguration,
                            options: NeuralSamplerOptions = NeuralSamplerOptions(), startingFrom baseline: VegasBaseline,
                            communicator: any Communicator) throws -> Trainer {
        guard baseline.plan.channelCount == integrand.channelCount else {
            throw ToyIntegrandError("warm start: baseline has \(baseline.plan.channelCount) channels, integrand \(integrand.channelCount)")
        }
        var densities = [Int: any ChannelDensity]()
        let seeds = RandomStream(seed: configuration.seed, stream: 0xF10)
        for c in baseline.plan.ownedChannels {
            guard let vegas = baseline.densities[c] as? VegasChannelDensity, vegas.dimension == integrand.dimension else {
                throw ToyIntegrandError("warm start: channel \(c) of the baseline has no VEGAS grid of dimension \(integrand.dimension)")
            }
            var s = seeds.substream(UInt64(c))
            let flow = FlowChannelDensity<Float>(dimension: integrand.dimension, config: options.flow, seed: s.next(),
                                                 uniformFraction: options.uniformFraction)
            flow.flow.initialize(fromVegas: vegas.grid)
            if options.defensiveMixtureUsesVegasGrid { flow.defensiveGrid = vegas.grid }
            densities[c] = flow
        }
        let weights: any ChannelWeights = options.trainChannelWeights
            ? ChannelWeightNetwork(channelCount: integrand.channelCount,
                                   featureCount: integrand.featureCount > 0 ? integrand.featureCount : integrand.dimension,
                                   hidden: options.channelWeightHidden, seed: configuration.seed)
            : PriorChannelWeights(channelCount: integrand.channelCount)
        let trainer = try Trainer(integrand: integrand, plan: baseline.plan, densities: densities, channelWeights: weights,
                                  configuration: configuration, communicator: communicator)
        trainer.pretrainingCalls = baseline.adaptationCalls
        trainer.pretrainingSeconds = baseline.adaptationSeconds
        return trainer
    }
}
