// The settings that produced the W + n jets headline table (bench/RESULTS-headline.md), by final-state parton
// multiplicity. Budgets follow the cost per point: |M|² summed over subprocesses costs ~5 µs (n = 1), 43 µs
// (n = 2), 0.27 ms (n = 3), 4.7 ms (n = 4), so the expensive multiplicities train on fewer fresh points and
// reuse them (buffered training) and drop channels with negligible share. `scale` multiplies every point
// budget (steps stay fixed) for users with more time.
import Flows

public extension SamplerComparisonSettings {
    static func wPlusJets(jets n: Int, scale: Double = 1) -> SamplerComparisonSettings {
        var s = SamplerComparisonSettings()
        func scaled(_ x: Int) -> Int { max(Int((Double(x) * scale).rounded()), 1) }
        s.options.flow = FlowConfig(bins: 32, couplingBlocks: nil, hiddenLayers: 2, hiddenUnits: 32)
        s.training.learningRate = 1e-3
        s.training.loss = .stratifiedVariance
        s.training.seed = 1
        switch n {
        case ...1:
            s.vegasIterations = 8; s.vegasPointsPerIteration = scaled(10_000)
            s.training.steps = 600; s.training.batchSize = scaled(1024)
            s.evaluationPoints = scaled(100_000)
        case 2:
            s.vegasIterations = 8; s.vegasPointsPerIteration = scaled(10_000)
            s.training.steps = 600; s.training.batchSize = scaled(1024)
            s.evaluationPoints = scaled(100_000)
        case 3:
            s.vegasIterations = 8; s.vegasPointsPerIteration = scaled(8_000)
            s.training.steps = 300; s.training.batchSize = scaled(1024)
            s.training.bufferedStepsPerFreshStep = 2
            s.training.dropping = ChannelDropping(threshold: 0.005)
            s.training.droppingInterval = 100
            s.evaluationPoints = scaled(50_000)
        default:
            s.vegasIterations = 6; s.vegasPointsPerIteration = scaled(2_000)
            s.training.steps = 60; s.training.batchSize = scaled(256)
            s.training.bufferedStepsPerFreshStep = 3
            s.training.dropping = ChannelDropping(threshold: 0.005)
            s.training.droppingInterval = 50
            s.evaluationPoints = scaled(10_000)
        }
        s.training.schedule = .cosine(totalSteps: s.training.steps, minimum: 1e-5)
        return s
    }
}
