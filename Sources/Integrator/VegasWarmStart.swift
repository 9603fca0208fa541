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
            throw IntegratorError.invalidSetting("warm start: baseline has \(baseline.plan.channelCount) channels, integrand \(integrand.channelCount)")
        }
        let trainer = try makeTrainer(integrand: integrand, configuration: configuration, options: options, plan: baseline.plan,
                                      grids: baseline.allGrids(), communicator: communicator)
        trainer.pretrainingCalls = baseline.adaptationCalls
        trainer.pretrainingSeconds = baseline.adaptationSeconds
        return trainer
    }

    /// One flow per channel owned in `plan`, each started from its channel's grid (`grids` holds every
    /// channel's, e.g. `VegasBaseline.allGrids()` after a warm-up on another plan).
    static func makeTrainer(integrand: any Integrand, configuration: TrainerConfiguration, options: NeuralSamplerOptions,
                            plan: ChannelPlan, grids: [VegasGrid], communicator: any Communicator) throws -> Trainer {
        guard grids.count == integrand.channelCount, grids.allSatisfy({ $0.dimension == integrand.dimension }) else {
            throw IntegratorError.invalidSetting("warm start: \(grids.count) grids for \(integrand.channelCount) channels of dimension \(integrand.dimension)")
        }
        var densities = [Int: any ChannelDensity]()
        let seeds = RandomStream(seed: configuration.seed, stream: 0xF10)
        for c in plan.ownedChannels {
            var s = seeds.substream(UInt64(c))
            let flow = FlowChannelDensity<Float>(dimension: integrand.dimension, config: options.flow, seed: s.next(),
                                                 uniformFraction: options.uniformFraction)
            flow.place(on: grids[c], inGridCoordinates: options.flowsInGridCoordinates,
                       gridIsDefensive: options.defensiveMixtureUsesVegasGrid, start: true)
            densities[c] = flow
        }
        let weights = options.makeChannelWeights(for: integrand, seed: configuration.seed)
        let trainer = try Trainer(integrand: integrand, plan: plan, densities: densities, channelWeights: weights,
                                  configuration: configuration, communicator: communicator)
        if configuration.heldOutPoints > 0 {
            trainer.selection = SnapshotSelection(points: configuration.heldOutPoints, interval: configuration.effectiveHeldOutInterval,
                                                  grids: grids, seed: configuration.seed)
        }
        return trainer
    }
}
