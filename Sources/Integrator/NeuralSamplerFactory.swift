// Wiring of the neural multi-channel sampler: one flow per owned channel, the channel-weight net (or fixed
// prior weights), the trainer. Kept apart from the trainer so the CLI, tests and benchmarks build it alike.
import Numerics
import Flows
import Cluster

public struct NeuralSamplerOptions: Sendable, Equatable {
    public var flow = FlowConfig()
    /// Learn α with the channel-weight net (otherwise prior/uniform channel weights are kept fixed).
    /// Off by default: trained jointly with narrow flows it moves weight into channels whose flows no longer
    /// sample there, and the integral loses that mass (Gaussian toys, 2-D σ = 0.03 with VEGAS start: pulls of
    /// −15 to −40 after 2,000 steps, while the same runs with the mapping prior alone are unbiased and as
    /// efficient). Its gradient for α_c only sees channel c's own points; see ChannelWeightNetwork. With
    /// `densityAwareChannelWeights` the net learns a correction to every channel's current density instead,
    /// which cannot open such holes.
    public var trainChannelWeights = false
    public var channelWeightHidden = [32, 32]
    /// Density-aware channel weights: α ∝ a·g with g every channel's current density at the point, so α_c
    /// vanishes wherever channel c stops sampling (DensityAwareChannelWeights.swift). With
    /// `trainChannelWeights` a is learned, otherwise a = 1 (the balance heuristic of the current flows).
    /// Needs an integrand with invertible channels and every channel's flow on every rank.
    public var densityAwareChannelWeights = false
    /// ε of each flow's defensive mixture with the uniform density (see `FlowChannelDensity`); 0 = bare flows.
    public var uniformFraction = 0.0
    /// When the flows start from VEGAS grids: mix each flow with its channel's grid instead of the uniform
    /// density (weights bounded by w_VEGAS/ε; see `FlowChannelDensity.defensiveGrid`).
    public var defensiveMixtureUsesVegasGrid = false
    /// Each flow acts in its channel's VEGAS coordinates (y = G_VEGAS(z), z from the flow) and starts as the
    /// identity, i.e. exactly at the grid; otherwise it acts on [0,1]^d and its spline starts at the grid's knots.
    /// Used where the flows start from warm-up grids (`makeTrainer(…grids:…)`); `vegasPretraining` ignores it.
    public var flowsInGridCoordinates = false
    /// VEGAS pre-training of each channel before the flows start from it (nil: flows start at the identity).
    public var vegasPretraining: VegasPretraining? = nil

    public init() {}
}

public enum NeuralSamplerFactory {
    /// Per-channel flow seeds derive from the trainer seed and the channel index only, so the flows are the same
    /// whatever rank owns them.
    public static func makeTrainer(integrand: any Integrand, configuration: TrainerConfiguration,
                                   options: NeuralSamplerOptions = NeuralSamplerOptions(),
                                   plan: ChannelPlan? = nil, communicator: any Communicator) throws -> Trainer {
        let plan = plan ?? .all(integrand.channelCount)
        var densities = [Int: any ChannelDensity]()
        let seeds = RandomStream(seed: configuration.seed, stream: 0xF10)
        for c in plan.ownedChannels {
            var s = seeds.substream(UInt64(c))
            let flow = FlowChannelDensity<Float>(dimension: integrand.dimension, config: options.flow, seed: s.next(),
                                                 uniformFraction: options.uniformFraction)
            densities[c] = flow
        }
        var pretrainingCalls: Int64 = 0
        let start = communicator.wallTime()
        if let vegas = options.vegasPretraining {
            pretrainingCalls = try vegas.pretrain(integrand: integrand, densities: densities, plan: plan,
                                                  seed: configuration.seed, communicator: communicator)
        }
        let pretrainingSeconds = communicator.wallTime() - start
        let weights = options.makeChannelWeights(for: integrand, seed: configuration.seed)
        let trainer = try Trainer(integrand: integrand, plan: plan, densities: densities, channelWeights: weights,
                                  configuration: configuration, communicator: communicator)
        trainer.pretrainingCalls = pretrainingCalls
        trainer.pretrainingSeconds = pretrainingSeconds
        return trainer
    }
}

extension NeuralSamplerOptions {
    /// The channel-weight options a model was trained with (a stored net means the net was trained).
    init(channelWeightsOf model: SamplerModel) {
        self.init()
        trainChannelWeights = !model.channelWeightParameters.isEmpty
        channelWeightHidden = model.channelWeightHidden
        densityAwareChannelWeights = model.channelWeightsUseChannelDensities
    }

    /// The channel weights these options ask for: the net or fixed weights, on the integrand's prior or on
    /// every channel's density.
    func makeChannelWeights(for integrand: any Integrand, seed: UInt64) -> any ChannelWeights {
        trainChannelWeights
            ? ChannelWeightNetwork(channelCount: integrand.channelCount,
                                   featureCount: integrand.featureCount > 0 ? integrand.featureCount : integrand.dimension,
                                   hidden: channelWeightHidden, usesChannelDensities: densityAwareChannelWeights, seed: seed)
            : PriorChannelWeights(channelCount: integrand.channelCount, usesChannelDensities: densityAwareChannelWeights)
    }
}
