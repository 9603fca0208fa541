// The headline measurement as one reusable procedure: adapt multi-channel VEGAS, measure it on a fresh sample,
// start NIS from its grids, train, measure NIS on a fresh sample of the same size with the same maximum-weight
// estimator. Both measurements are independent of the points used for adaptation or training. Shared by the
// NISBench headline table and `nisgen integrate/train` so the CLI's defaults reproduce the table.
import Numerics
import Flows
import Cluster

public struct SamplerComparisonSettings: Sendable, Equatable {
    public var vegasIterations = 8
    public var vegasPointsPerIteration = 10_000
    public var vegasBins = 64
    public var vegasDamping = VegasGrid.defaultDamping
    public var training = TrainerConfiguration()
    public var options = NeuralSamplerOptions()
    /// Points of each measurement pass (VEGAS and NIS alike).
    public var evaluationPoints = 100_000
    public var evaluationBatch = 4096
    public var estimator = MaximumWeightEstimator.default
    /// Adapt VEGAS and train NIS on the helicity-sampled |M|² (unbiased, ~5× cheaper at W + 4 jets); the
    /// measurements stay exact. Read by the callers that build physics integrands (CLI, NISBench).
    public var sampledHelicityTraining = false

    public init() {}

    public func validate() throws {
        try training.validate()
        try VegasPretraining(iterations: vegasIterations, pointsPerIteration: vegasPointsPerIteration, bins: vegasBins, damping: vegasDamping).validate()
        if evaluationPoints < 1 { throw IntegratorError.invalidSetting("evaluation points must be ≥ 1, got \(evaluationPoints)") }
        if evaluationBatch < 1 { throw IntegratorError.invalidSetting("evaluation batch must be ≥ 1, got \(evaluationBatch)") }
    }
}

/// One sampler's figures.
public struct SamplerFigures: Sendable {
    public var result: IntegrationResult
    /// Integrand calls and wall/CPU seconds spent preparing the sampler (VEGAS: adaptation; NIS: training on top).
    public var trainingCalls: Int64
    public var trainingSeconds: Double
    public var trainingCPUSeconds: Double
    /// CPU seconds of the measurement pass (one thread).
    public var evaluationCPUSeconds: Double

    /// Unweighted events per CPU second in generation: efficiency × points / CPU time of the pass.
    public var unweightedPerCPUSecond: Double {
        evaluationCPUSeconds > 0 ? result.unweightingEfficiency * Double(result.integrandCalls) / evaluationCPUSeconds : 0
    }
}

public struct SamplerComparison {
    public var vegas: SamplerFigures
    public var nis: SamplerFigures

    public var efficiencyRatio: Double { vegas.result.unweightingEfficiency > 0 ? nis.result.unweightingEfficiency / vegas.result.unweightingEfficiency : 0 }
    /// (I_NIS − I_VEGAS) / √(δ_NIS² + δ_VEGAS²).
    public var pull: Double {
        let e = (nis.result.error * nis.result.error + vegas.result.error * vegas.result.error).squareRoot()
        return e > 0 ? (nis.result.integral - vegas.result.integral) / e : 0
    }
    /// Unweighted events beyond which NIS (its training CPU time included) is cheaper than VEGAS (which needs
    /// the same warm-up anyway): N* = T_train / (1/r_VEGAS − 1/r_NIS); nil when NIS generates no faster.
    public var breakEvenEvents: Double? {
        let rv = vegas.unweightedPerCPUSecond, rn = nis.unweightedPerCPUSecond
        guard rv > 0, rn > rv else { return nil }
        return nis.trainingCPUSeconds / (1 / rv - 1 / rn)
    }

    /// Run the whole comparison. `progress` receives one-line messages (warm-up iterations, training steps).
    /// `trainingIntegrand` (same channels; default `integrand`) drives the VEGAS adaptation and the NIS
    /// training of both samplers — e.g. a helicity-sampled |M|², unbiased and cheaper; both measurements
    /// always use `integrand`.
    public static func run(integrand: any Integrand, trainingIntegrand: (any Integrand)? = nil,
                           settings: SamplerComparisonSettings, communicator: any Communicator,
                           progressInterval: Int = 0, progress: ((String) -> Void)? = nil) throws -> SamplerComparison {
        try settings.validate()
        let adapting = trainingIntegrand ?? integrand
        guard adapting.channelCount == integrand.channelCount, adapting.dimension == integrand.dimension else {
            throw IntegratorError.invalidSetting("training integrand has \(adapting.channelCount) channels in \(adapting.dimension) dimensions, the measured one \(integrand.channelCount) in \(integrand.dimension)")
        }
        let unweighter = Unweighter(estimator: settings.estimator)
        var cpu0 = processCPUSeconds()
        let baseline = try VegasBaseline(integrand: adapting, bins: settings.vegasBins, damping: settings.vegasDamping, allocation: settings.training.allocation,
                                         seed: settings.training.seed, communicator: communicator)
        baseline.adapt(iterations: settings.vegasIterations, pointsPerIteration: settings.vegasPointsPerIteration) { k, r in
            if progressInterval > 0 { progress?("vegas iteration \(k)/\(settings.vegasIterations): \(r.integral) ± \(r.error), efficiency \(r.unweightingEfficiency)") }
        }
        let vegasTrainCPU = processCPUSeconds() - cpu0
        cpu0 = processCPUSeconds()
        let vegasResult = baseline.integrate(points: settings.evaluationPoints, batchSize: settings.evaluationBatch, unweighter: unweighter,
                                              integrand: integrand)
        let vegas = SamplerFigures(result: vegasResult, trainingCalls: baseline.adaptationCalls,
                                   trainingSeconds: baseline.adaptationSeconds, trainingCPUSeconds: vegasTrainCPU,
                                   evaluationCPUSeconds: processCPUSeconds() - cpu0)
        progress?("vegas: \(vegasResult.integral) ± \(vegasResult.error), efficiency \(vegasResult.unweightingEfficiency)")

        var training = settings.training
        if case .cosine(_, let minimum) = training.schedule { training.schedule = .cosine(totalSteps: training.steps, minimum: minimum) }
        cpu0 = processCPUSeconds()
        let trainer = try NeuralSamplerFactory.makeTrainer(integrand: adapting, configuration: training, options: settings.options,
                                                           startingFrom: baseline, communicator: communicator)
        trainer.train { p in
            if progressInterval > 0 && (p.step % progressInterval == 0 || p.step == training.steps) {
                progress?("step \(p.step)/\(training.steps): I \(p.integral), rel.std \(p.relativeStandardDeviation), loss \(p.loss), channels \(p.activeChannels), calls \(p.integrandCalls)")
            }
        }
        let nisTrainCPU = processCPUSeconds() - cpu0
        let trainingCalls = trainer.integrandCalls
        cpu0 = processCPUSeconds()
        let nisResult = trainer.integrate(points: settings.evaluationPoints, batchSize: settings.evaluationBatch, unweighter: unweighter,
                                          integrand: integrand)
        let nis = SamplerFigures(result: nisResult, trainingCalls: trainingCalls, trainingSeconds: trainer.trainingSeconds,
                                 trainingCPUSeconds: nisTrainCPU, evaluationCPUSeconds: processCPUSeconds() - cpu0)
        progress?("nis: \(nisResult.integral) ± \(nisResult.error), efficiency \(nisResult.unweightingEfficiency)")
        return SamplerComparison(vegas: vegas, nis: nis, trainer: trainer)
    }

    /// The trained NIS sampler (flows and channel weights), e.g. to save or to generate more events.
    public let trainer: Trainer

    init(vegas: SamplerFigures, nis: SamplerFigures, trainer: Trainer) {
        self.vegas = vegas; self.nis = nis; self.trainer = trainer
    }
}
