// Small budgets shared by the integrator tests that train on a 2-D Gaussian toy: one place to read (and
// change) what "a quick comparison" or "a tiny trained sampler" means.
import Flows
import Integrator

enum SmallToySettings {
    /// VEGAS 3 × 4,000 points on 16 bins, 20 NIS steps of 512 points, 20,000 measurement points.
    static func comparison(seed: UInt64) -> SamplerComparisonSettings {
        var s = SamplerComparisonSettings()
        s.vegasIterations = 3; s.vegasPointsPerIteration = 4000; s.vegasBins = 16
        s.options.flow = FlowConfig(bins: 16, hiddenLayers: 1, hiddenUnits: 8)
        s.training.steps = steps; s.training.batchSize = batchSize; s.training.seed = seed
        s.evaluationPoints = 20_000
        return s
    }
    static let steps = 20, batchSize = 512

    /// A tiny sampler with the channel-weight net on (`steps` steps of 128 points, 2 blocks of 1 × 8 units).
    static func trainedChannelWeights(steps: Int, seed: UInt64) -> (TrainerConfiguration, NeuralSamplerOptions) {
        var config = TrainerConfiguration()
        config.steps = steps; config.batchSize = 128; config.seed = seed
        var options = NeuralSamplerOptions()
        options.flow = FlowConfig(bins: 8, couplingBlocks: 2, hiddenLayers: 1, hiddenUnits: 8)
        options.trainChannelWeights = true
        options.channelWeightHidden = [8]
        return (config, options)
    }
}
