// A whole training job on N ranks, from nothing (or a model file) to a complete model file:
//   1. multi-channel VEGAS warm-up, channels dealt round robin (shared when ranks outnumber channels);
//   2. the VEGAS sampler measured on fresh points (the reference a user compares with);
//   3. a plan balanced by cost (σ_c × seconds per point, both from the warm-up), flows started from the grids;
//   4. NIS training, the model written every `checkpointInterval` steps and when a stop is requested;
//   5. the trained sampler measured on fresh points: σ, per-channel maximum weights; the model completed.
// Every step is collective; only rank 0 writes the file, and all ranks learn whether that worked.
#if canImport(Glibc)
import Glibc
#endif
import Numerics
import Flows
import Cluster

public enum TrainingEvent {
    case vegasIteration(Int, of: Int, IntegrationResult)
    case vegasMeasured(IntegrationResult)
    case planned(ChannelPlan, costs: [Double])
    case resumed(atStep: Int)
    case step(TrainingProgress)
    case saved(step: Int, path: String)
    case measured(IntegrationResult)
}

public final class TrainingRun {
    public struct Outcome {
        public var model: SamplerModel
        /// False when a stop request ended training early (the model file holds the state to resume).
        public var completed: Bool
        public var nis: IntegrationResult?
        public var vegas: IntegrationResult?
    }

    public let integrand: any Integrand
    public let trainingIntegrand: any Integrand
    public let settings: SamplerComparisonSettings
    public let communicator: any Communicator
    /// Provenance copied into every model written (card, hashes, process, channel names).
    public var provenance: SamplerModel
    /// Write the model every this many steps (0: only at the end and when stopped).
    public var checkpointInterval = 0
    /// Measure the VEGAS warm-up on fresh points (the reference figure), off to save time.
    public var measureVegas = true
    /// Asked after every step; true on any rank stops all ranks after that step, with the model saved.
    public var stopRequested: (() -> Bool)?
    /// The trainer of the last `run` (e.g. to check its replicas).
    public private(set) var lastTrainer: Trainer?
    /// Measurement weights kept in the model for weight-distribution plots.
    public var surveySampleSize = 20_000

    /// `trainingIntegrand` (same channels): what the warm-up and training see, e.g. helicity-sampled |M|²;
    /// the measurements use `integrand`. `provenance` must have the integrand's shape.
    public init(integrand: any Integrand, trainingIntegrand: (any Integrand)? = nil, settings: SamplerComparisonSettings,
                provenance: SamplerModel, communicator: any Communicator) throws {
        try settings.validate()
        let adapting = trainingIntegrand ?? integrand
        guard adapting.channelCount == integrand.channelCount, adapting.dimension == integrand.dimension else {
            throw IntegratorError.invalidSetting("training integrand has \(adapting.channelCount) channels in \(adapting.dimension) dimensions, the measured one \(integrand.channelCount) in \(integrand.dimension)")
        }
        self.integrand = integrand
        self.trainingIntegrand = adapting
        self.settings = settings
        self.provenance = provenance
        self.communicator = communicator
    }

    /// Train (or continue `resume`) and write the model to `modelPath` (rank 0; `.partial` until renamed).
    public func run(resume: SamplerModel? = nil, modelPath: String,
                    progress: ((TrainingEvent) -> Void)? = nil) throws -> Outcome {
        var training = settings.training
        if case .cosine(_, let minimum) = training.schedule { training.schedule = .cosine(totalSteps: training.steps, minimum: minimum) }
        let size = communicator.size, rank = communicator.rank
        var base = provenance
        let trainer: Trainer
        var vegasResult: IntegrationResult?
        if let resume {
            try check(resume)
            base = resume
            let plan = resume.rankCount == size ? resume.plan(rank: rank) : trainingPlan(costs: resume.channelCosts, rank: rank, size: size)
            trainer = try NeuralSamplerFactory.makeTrainer(integrand: trainingIntegrand, configuration: training, options: settings.options,
                                                           plan: plan, grids: resume.vegasGrids, communicator: communicator)
            try trainer.restore(from: resume)
            if resume.vegasCrossSection > 0 {
                vegasResult = IntegrationResult(integral: resume.vegasCrossSection, error: resume.vegasError, channelIntegrals: [],
                                                channelErrors: [], channelCounts: [], relativeStandardDeviation: 0,
                                                unweightingEfficiency: resume.vegasEfficiency, overweightFraction: 0,
                                                overweightShare: 0, integrandCalls: 0, seconds: 0)
            }
            progress?(.resumed(atStep: resume.stepsDone))
        } else {
            let c = integrand.channelCount
            let warmPlan = ChannelPlan.roundRobin(channelCount: c, rank: rank, size: size)
            let baseline = try VegasBaseline(integrand: trainingIntegrand, plan: warmPlan, bins: settings.vegasBins, damping: settings.vegasDamping,
                                             allocation: training.allocation, seed: training.seed, communicator: communicator)
            var stoppedEarly = false
            baseline.adapt(iterations: settings.vegasIterations, pointsPerIteration: settings.vegasPointsPerIteration,
                           shouldStop: { self.communicator.allreduce(Int64(self.stopRequested?() == true ? 1 : 0), .max) == 1 }) { k, r in
                progress?(.vegasIteration(k, of: self.settings.vegasIterations, r))
            } stopped: { stoppedEarly = true }
            // Nothing worth saving yet: a stop during the warm-up ends the run without a model file.
            if stoppedEarly { throw IntegratorError.stoppedDuringWarmUp }
            if measureVegas {
                let r = baseline.integrate(points: settings.evaluationPoints, batchSize: settings.evaluationBatch,
                                           unweighter: Unweighter(estimator: settings.estimator), integrand: integrand, keepWeights: true)
                base.vegasCrossSection = r.integral; base.vegasError = r.error; base.vegasEfficiency = r.unweightingEfficiency
                base.surveyWeightsVegas = gatherSubsample(r.localWeights)
                vegasResult = r
                progress?(.vegasMeasured(r))
            }
            let costs = Self.costs(standardDeviations: baseline.standardDeviations, seconds: baseline.lastChannelSeconds,
                                   counts: baseline.lastChannelCounts)
            base.channelCosts = costs
            let plan = trainingPlan(costs: costs, rank: rank, size: size)
            progress?(.planned(plan, costs: costs))
            base.vegasGrids = baseline.allGrids()
            trainer = try NeuralSamplerFactory.makeTrainer(integrand: trainingIntegrand, configuration: training, options: settings.options,
                                                           plan: plan, grids: base.vegasGrids, communicator: communicator)
            trainer.pretrainingCalls = baseline.adaptationCalls
            trainer.pretrainingSeconds = baseline.adaptationSeconds
        }
        base.totalSteps = training.steps
        if training.dropping != nil {
            trainer.rebalancing = ChannelRebalancing(costs: base.channelCosts, grids: base.vegasGrids, options: settings.options)
        }
        lastTrainer = trainer
        var interrupted = false
        trainer.stopRequested = stopRequested
        let completedSteps = trainer.train { p in
            progress?(.step(p))
            if self.checkpointInterval > 0, p.step % self.checkpointInterval == 0, p.step < training.steps {
                do {
                    try self.save(trainer.model(base: base), to: modelPath)
                    progress?(.saved(step: p.step, path: modelPath))
                } catch { interrupted = true }
            }
        }
        if !completedSteps || interrupted {
            let model = trainer.model(base: base)
            try save(model, to: modelPath)
            progress?(.saved(step: model.stepsDone, path: modelPath))
            return Outcome(model: model, completed: false, nis: nil, vegas: vegasResult)
        }
        // The measurement: fresh points of the measured integrand, per-channel maximum weights.
        let r = trainer.integrate(points: settings.evaluationPoints, batchSize: settings.evaluationBatch,
                                  unweighter: Unweighter(estimator: settings.estimator), integrand: integrand, keepWeights: true)
        var model = trainer.model(base: base)
        model.crossSection = r.integral; model.error = r.error; model.efficiency = r.unweightingEfficiency
        model.channelIntegrals = r.channelIntegrals; model.channelErrors = r.channelErrors
        let policy = MaximumWeightEstimator.crossSectionShare(1e-3)
        model.maximumWeights = channelMaxima(r.localWeights, estimator: policy)
        model.maximumWeightPolicy = policy.name
        model.surveyWeightsNIS = gatherSubsample(r.localWeights)
        model.complete = true
        try save(model, to: modelPath)
        progress?(.measured(r))
        progress?(.saved(step: model.stepsDone, path: modelPath))
        return Outcome(model: model, completed: true, nis: r, vegas: vegasResult)
    }

    /// Channels balanced over the ranks by cost; with density-aware channel weights every rank needs every
    /// channel's flow, so every rank shares every channel instead.
    func trainingPlan(costs: [Double], rank: Int, size: Int) -> ChannelPlan {
        settings.options.densityAwareChannelWeights
            ? .everyRankOwnsEveryChannel(channelCount: costs.count, rank: rank, size: size)
            : .balanced(costs: costs, rank: rank, size: size)
    }

    /// σ_c × seconds per point, with the time per point rounded to powers of √2 of the median: timing noise
    /// then rarely changes the plan (and a plan without shared channels does not change the results).
    public static func costs(standardDeviations: [Double], seconds: [Double], counts: [Int64]) -> [Double] {
        let perPoint = zip(seconds, counts).map { $1 > 0 ? $0 / Double($1) : 0 }
        let sorted = perPoint.filter { $0 > 0 }.sorted()
        let median = sorted.isEmpty ? 1 : sorted[sorted.count / 2]
        return standardDeviations.indices.map { c in
            let t = c < perPoint.count && perPoint[c] > 0 ? perPoint[c] / median : 1
            let rounded = pow(2, (2 * log2(t)).rounded() / 2)
            let sigma = standardDeviations[c].isFinite ? standardDeviations[c] : 0
            return sigma * rounded
        }
    }

    func check(_ model: SamplerModel) throws {
        guard model.channelCount == integrand.channelCount, model.dimension == integrand.dimension else {
            throw IntegratorError.modelMismatch("it has \(model.channelCount) channels in \(model.dimension) dimensions, the run card's process \(integrand.channelCount) in \(integrand.dimension)")
        }
        guard model.flow == settings.options.flow else {
            throw IntegratorError.modelMismatch("its flows (\(model.flow)) differ from the run card's (\(settings.options.flow))")
        }
        guard model.flowsInGridCoordinates == settings.options.flowsInGridCoordinates else {
            throw IntegratorError.modelMismatch("its flows act \(model.flowsInGridCoordinates ? "in VEGAS grid coordinates" : "on the unit cube"), the run card's \(settings.options.flowsInGridCoordinates ? "in VEGAS grid coordinates" : "on the unit cube") (flow_on_vegas_grid)")
        }
        guard model.vegasBins == settings.vegasBins else {
            throw IntegratorError.modelMismatch("its VEGAS grids have \(model.vegasBins) bins, the run card \(settings.vegasBins)")
        }
    }

    /// Rank 0 writes; every rank learns the outcome, so all fail together.
    func save(_ model: SamplerModel, to path: String) throws {
        var problem = ""
        if communicator.isRoot {
            do { try SamplerModelFile.write(model, to: path) }
            catch IntegratorError.modelFile(_, let what) { problem = what }
            catch { problem = "\(error)" }
        }
        let message = communicator.broadcast(problem, root: 0)
        if !message.isEmpty { throw IntegratorError.modelFile(path: path, problem: message) }
    }

    /// Per-channel maximum weights from the weights of all ranks (estimated on rank 0, broadcast).
    func channelMaxima(_ local: [Int: [Double]], estimator: MaximumWeightEstimator) -> [Double] {
        ChannelWeightGather.estimate(local, channelCount: integrand.channelCount, estimator: estimator,
                                     seed: settings.training.seed, communicator: communicator)
    }

    /// A reproducible subsample of all ranks' weights (zeros dropped), on every rank.
    func gatherSubsample(_ local: [Int: [Double]]) -> [Double] {
        let mine = local.keys.sorted().flatMap { local[$0]! }.filter { $0 != 0 }
        let all = communicator.gather(mine, root: 0).flatMap { $0 }
        var sample = [Double]()
        if communicator.isRoot {
            let stride = max(1, all.count / max(surveySampleSize, 1))
            sample = Swift.stride(from: 0, to: all.count, by: stride).map { all[$0] }
        }
        return communicator.broadcastArray(sample, root: 0)
    }
}
