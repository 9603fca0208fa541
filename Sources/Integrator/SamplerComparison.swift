// The headline measurement as one reusable procedure: adapt multi-channel VEGAS, measure it on a fresh sample,
// start NIS from its grids, train, measure NIS on a fresh sample of the same size with the same maximum-weight
// estimator (and, on the same events, the reduced maximum too). Both measurements are independent of the points
// used for adaptation or training. Shared by the NISBench headline table and `nisgen integrate/train` so the
// CLI's defaults reproduce the table.
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
    /// The second policy reported on the same events: the reduced maximum whose overweight events carry at
    /// most 0.1 % of σ (as event generation unweights).
    public var reducedEstimator = MaximumWeightEstimator.crossSectionShare(1e-3)
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
    public var measurement: SamplerMeasurement
    /// Integrand calls and wall/CPU seconds spent preparing the sampler (VEGAS: adaptation; NIS: training on top).
    public var trainingCalls: Int64
    public var trainingSeconds: Double
    public var trainingCPUSeconds: Double

    public var result: IntegrationResult { measurement.result }
    /// CPU seconds of the measurement pass (one thread).
    public var evaluationCPUSeconds: Double { measurement.cpuSeconds }
    /// Unweighted events per CPU second in generation: efficiency × points / CPU time of the pass.
    public var unweightedPerCPUSecond: Double { measurement.unweightedPerCPUSecond }
}

public struct SamplerComparison {
    public var vegas: SamplerFigures
    public var nis: SamplerFigures

    public var efficiencyRatio: Double { ratio(nis.result.unweightingEfficiency, vegas.result.unweightingEfficiency) }
    public var reducedEfficiencyRatio: Double { ratio(nis.measurement.reducedMaximumEfficiency, vegas.measurement.reducedMaximumEfficiency) }
    private func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
    /// (I_NIS − I_VEGAS) / √(δ_NIS² + δ_VEGAS²).
    public var pull: Double {
        let e = (nis.result.error * nis.result.error + vegas.result.error * vegas.result.error).squareRoot()
        return e > 0 ? (nis.result.integral - vegas.result.integral) / e : 0
    }
    /// Unweighted events beyond which NIS (its training CPU time included) is cheaper than VEGAS (which needs
    /// the same warm-up anyway): N* = T_train / (1/r_VEGAS − 1/r_NIS); nil when NIS generates no faster.
    public var breakEvenEvents: Double? { breakEven(vegas.unweightedPerCPUSecond, nis.unweightedPerCPUSecond) }
    /// The same with both generation rates under the reduced maximum.
    public var reducedBreakEvenEvents: Double? {
        breakEven(vegas.measurement.reducedUnweightedPerCPUSecond, nis.measurement.reducedUnweightedPerCPUSecond)
    }
    private func breakEven(_ rv: Double, _ rn: Double) -> Double? {
        guard rv > 0, rn > rv else { return nil }
        return nis.trainingCPUSeconds / (1 / rv - 1 / rn)
    }

    /// Unweighted events per CPU second when `events` are generated, set-up included: VEGAS pays its warm-up,
    /// NIS the same warm-up (its flows start from those grids) plus its training. `rate`: events per CPU second
    /// in generation.
    public func amortisedRate(events: Double, rate: Double, setupCPUSeconds: Double) -> Double {
        rate > 0 ? events / (setupCPUSeconds + events / rate) : 0
    }
    public var nisSetupCPUSeconds: Double { vegas.trainingCPUSeconds + nis.trainingCPUSeconds }

    /// Measure the adapted VEGAS and the trained NIS again on fresh samples of `points` each (the study of how
    /// the efficiencies move with the size of the measurement sample).
    public func remeasure(points: Int, integrand: any Integrand, settings: SamplerComparisonSettings,
                          communicator: any Communicator) -> (vegas: SamplerMeasurement, nis: SamplerMeasurement) {
        let v = SamplerMeasurement.take(estimator: settings.estimator, reduced: settings.reducedEstimator, communicator: communicator) {
            baseline.integrate(points: points, batchSize: settings.evaluationBatch, unweighter: $0, integrand: integrand, keepWeights: true)
        }
        let n = SamplerMeasurement.take(estimator: settings.estimator, reduced: settings.reducedEstimator, communicator: communicator) {
            trainer.integrate(points: points, batchSize: settings.evaluationBatch, unweighter: $0, integrand: integrand, keepWeights: true)
        }
        return (v, n)
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
        func measure(_ pass: (Unweighter) -> IntegrationResult) -> SamplerMeasurement {
            SamplerMeasurement.take(estimator: settings.estimator, reduced: settings.reducedEstimator, communicator: communicator, pass)
        }
        var cpu0 = processCPUSeconds()
        let baseline = try VegasBaseline(integrand: adapting, bins: settings.vegasBins, damping: settings.vegasDamping, allocation: settings.training.allocation,
                                         seed: settings.training.seed, communicator: communicator)
        baseline.adapt(iterations: settings.vegasIterations, pointsPerIteration: settings.vegasPointsPerIteration) { k, r in
            if progressInterval > 0 { progress?("vegas iteration \(k)/\(settings.vegasIterations): \(r.integral) ± \(r.error), efficiency \(r.unweightingEfficiency)") }
        }
        let vegasTrainCPU = processCPUSeconds() - cpu0
        let vegasMeasurement = measure {
            baseline.integrate(points: settings.evaluationPoints, batchSize: settings.evaluationBatch, unweighter: $0, integrand: integrand, keepWeights: true)
        }
        let vegas = SamplerFigures(measurement: vegasMeasurement, trainingCalls: baseline.adaptationCalls,
                                   trainingSeconds: baseline.adaptationSeconds, trainingCPUSeconds: vegasTrainCPU)
        progress?("vegas: \(vegas.result.integral) ± \(vegas.result.error), efficiency \(vegas.result.unweightingEfficiency) (reduced maximum \(vegasMeasurement.reducedMaximumEfficiency))")

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
        let trainingCalls = trainer.integrandCalls + (trainer.selection?.heldOutCalls ?? 0)
        if let selection = trainer.selection, let best = selection.best {
            let scores = selection.scores.map { "\($0.step): \(formatScore($0.relativeStandardDeviation))" }.joined(separator: ", ")
            progress?("held-out rel. std by step: \(scores); kept step \(best.step)")
        }
        let nisMeasurement = measure {
            trainer.integrate(points: settings.evaluationPoints, batchSize: settings.evaluationBatch, unweighter: $0, integrand: integrand, keepWeights: true)
        }
        let nis = SamplerFigures(measurement: nisMeasurement, trainingCalls: trainingCalls, trainingSeconds: trainer.trainingSeconds,
                                 trainingCPUSeconds: nisTrainCPU)
        progress?("nis: \(nis.result.integral) ± \(nis.result.error), efficiency \(nis.result.unweightingEfficiency) (reduced maximum \(nisMeasurement.reducedMaximumEfficiency))")
        return SamplerComparison(vegas: vegas, nis: nis, baseline: baseline, trainer: trainer)
    }

    static func formatScore(_ x: Double) -> String { x.isFinite ? String(Double((x * 1000).rounded()) / 1000) : "∞" }

    /// The adapted VEGAS baseline, e.g. to measure it again.
    public let baseline: VegasBaseline
    /// The trained NIS sampler (flows and channel weights), e.g. to save or to generate more events.
    public let trainer: Trainer

    init(vegas: SamplerFigures, nis: SamplerFigures, baseline: VegasBaseline, trainer: Trainer) {
        self.vegas = vegas; self.nis = nis; self.baseline = baseline; self.trainer = trainer
    }
}
