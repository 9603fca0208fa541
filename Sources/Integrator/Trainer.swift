// The training loop of the neural multi-channel sampler: sample each owned channel through its density,
// weight by α from the shared channel-weight model, take the loss's gradients into the densities (local to this
// rank) and the channel-weight model (summed over ranks), then keep statistics for stratified allocation and
// channel dropping, and optionally replay buffered points (MadNIS Reloaded, arXiv:2311.01548).
import Numerics
import Cluster

/// What one training step reports (identical on every rank).
public struct TrainingProgress: Sendable {
    public var step: Int
    public var loss: Double
    public var integral: Double
    public var relativeStandardDeviation: Double
    public var learningRate: Double
    public var activeChannels: Int
    public var integrandCalls: Int64
}

public final class Trainer {
    public let sampler: ChannelBatchSampler
    public let plan: ChannelPlan
    public let densities: [Int: any ChannelDensity]
    public let channelWeights: any ChannelWeights
    public let configuration: TrainerConfiguration
    public let communicator: any Communicator
    let loss: MultiChannelLoss
    public internal(set) var active: [Bool]
    /// Smoothed per-channel σ and mean (global), driving allocation and dropping.
    public private(set) var standardDeviations: [Double]
    public private(set) var channelMeans: [Double]
    public private(set) var stepsDone = 0
    /// Integrand evaluations summed over ranks.
    public private(set) var integrandCalls: Int64 = 0
    public private(set) var trainingSeconds = 0.0
    /// Integrand calls and seconds spent before training (VEGAS pre-training), summed over ranks.
    public internal(set) var pretrainingCalls: Int64 = 0
    public internal(set) var pretrainingSeconds = 0.0
    var rngs: [RandomStream]
    var buffer: ReplayBuffer?

    /// `densities` must hold one density per channel in `plan.ownedChannels`.
    public init(integrand: any Integrand, plan: ChannelPlan, densities: [Int: any ChannelDensity],
                channelWeights: any ChannelWeights, configuration: TrainerConfiguration,
                communicator: any Communicator) throws {
        try configuration.validate()
        guard plan.channelCount == integrand.channelCount, channelWeights.channelCount == integrand.channelCount else {
            throw ToyIntegrandError("trainer: channel counts differ (integrand \(integrand.channelCount), plan \(plan.channelCount), weights \(channelWeights.channelCount))")
        }
        for c in plan.ownedChannels where densities[c] == nil {
            throw ToyIntegrandError("trainer: no density for owned channel \(c)")
        }
        sampler = ChannelBatchSampler(integrand: integrand)
        self.plan = plan
        self.densities = densities
        self.channelWeights = channelWeights
        self.configuration = configuration
        self.communicator = communicator
        loss = MultiChannelLoss(configuration.loss)
        active = Array(repeating: true, count: plan.channelCount)
        standardDeviations = Array(repeating: 0, count: plan.channelCount)
        channelMeans = Array(repeating: 0, count: plan.channelCount)
        let root = RandomStream(seed: configuration.seed)
        rngs = (0..<plan.channelCount).map { root.substream(UInt64($0)) }
        if configuration.bufferedStepsPerFreshStep > 0 {
            buffer = ReplayBuffer(capacity: configuration.bufferCapacity, reuses: configuration.bufferedStepsPerFreshStep)
        }
    }

    /// Run the configured number of steps; `progress` is called after each fresh step.
    public func train(progress: ((TrainingProgress) -> Void)? = nil) {
        let start = communicator.wallTime()
        for _ in 0..<configuration.steps {
            let report = freshStep()
            for _ in 0..<configuration.bufferedStepsPerFreshStep {
                guard let replayed = buffer?.replay() else { break }
                bufferedStep(replayed)
            }
            progress?(report)
        }
        trainingSeconds += communicator.wallTime() - start
    }

    var learningRate: Double { configuration.schedule.rate(base: configuration.learningRate, step: stepsDone) }

    func freezeChannelWeightsIfNeeded() {
        if let net = channelWeights as? ChannelWeightNetwork {
            net.isFrozen = !configuration.channelWeightTrainingSteps.contains(stepsDone)
        }
    }

    /// One step on freshly sampled points.
    public func freshStep() -> TrainingProgress {
        freezeChannelWeightsIfNeeded()
        let sigma = configuration.stratifiedTraining ? standardDeviations : Array(repeating: 1, count: plan.channelCount)
        let counts = configuration.allocation.allocate(total: configuration.batchSize, standardDeviations: sigma, active: active)
        var batches = [ChannelBatch]()
        for c in plan.ownedChannels where active[c] && counts[c] > 0 {
            batches.append(sampler.sample(channel: c, count: counts[c], density: densities[c]!, rng: &rngs[c],
                                          forTraining: configuration.singlePassFreshSteps))
        }
        let lossValue = optimise(&batches, fresh: configuration.singlePassFreshSteps)
        // Statistics of this step (global), smoothed into the allocation estimates.
        var stats = ChannelStatistics(channelCount: plan.channelCount)
        for b in batches { stats.add(channel: b.channel, weights: b.weights) }
        let global = stats.reduced(over: communicator)
        let lambda = stepsDone == 0 ? 0 : configuration.statisticsSmoothing
        for c in 0..<plan.channelCount where global.counts[c] > 0 {
            standardDeviations[c] = lambda * standardDeviations[c] + (1 - lambda) * global.variance(c).squareRoot()
            channelMeans[c] = lambda * channelMeans[c] + (1 - lambda) * global.mean(c)
        }
        integrandCalls += global.totalCount
        buffer?.store(batches.map {
            BufferedBatch(channel: $0.channel, points: $0.points, value: $0.value, logQSample: $0.logQSample,
                          features: $0.features, priorWeights: $0.priorWeights)
        })
        let lr = learningRate
        stepsDone += 1
        if let dropping = configuration.dropping, stepsDone % configuration.droppingInterval == 0 {
            let updated = dropping.update(active: active, channelIntegrals: channelMeans)
            if updated != active {
                active = updated
                let mask = active
                buffer?.removeChannels { !mask[$0] }
            }
        }
        return TrainingProgress(step: stepsDone, loss: lossValue, integral: global.integral,
                                relativeStandardDeviation: global.relativeStandardDeviation, learningRate: lr,
                                activeChannels: active.filter { $0 }.count, integrandCalls: integrandCalls)
    }

    /// One step on replayed points: no integrand calls, density ratio q/q_s inside the loss.
    func bufferedStep(_ stored: [BufferedBatch]) {
        var batches = stored.filter { active[$0.channel] }.map {
            ChannelBatch(channel: $0.channel, points: $0.points, logQSample: $0.logQSample, value: $0.value,
                         features: $0.features, priorWeights: $0.priorWeights)
        }
        _ = optimise(&batches, fresh: false)
    }

    /// α forward, log q forward (skipped for `fresh` batches: sampling kept the densities' backward state),
    /// loss, both backwards, optimiser steps. Returns the loss.
    func optimise(_ batches: inout [ChannelBatch], fresh: Bool) -> Double {
        let lr = learningRate
        // Ranks with no points still take part in every collective.
        ChannelBatchSampler.assignChannelWeights(&batches, model: channelWeights, active: active)
        var lossBatches = [ChannelLossBatch]()
        for b in batches {
            let logQ = fresh ? b.logQSample : densities[b.channel]!.logDensityForTraining(b.points)
            lossBatches.append(ChannelLossBatch(channel: b.channel, value: b.value, alpha: b.alpha, logQ: logQ,
                                                logQSample: b.logQSample))
        }
        let result = loss.evaluate(lossBatches, channelCount: plan.channelCount, communicator: communicator)
        for (j, b) in batches.enumerated() {
            let density = densities[b.channel]!
            density.backward(result.dLogQ[j])
            density.step(learningRate: lr)
        }
        // The same condition on every rank: `step` is collective.
        if channelWeights.isTrainable && configuration.loss.trainsChannelWeights {
            if !batches.isEmpty {
                channelWeights.backward(ChannelBatchSampler.stackedGradient(batches, dAlpha: result.dAlpha,
                                                                            channelCount: plan.channelCount))
            }
            channelWeights.step(learningRate: lr, communicator: communicator)
        }
        return result.loss
    }

    /// Integrate with the trained sampler (no training), allocating by the training's σ estimates.
    /// `integrand` (same channels) replaces the training integrand, e.g. exact |M|² after training on a
    /// cheaper unbiased estimate of it.
    public func integrate(points: Int, batchSize: Int? = nil, unweighter: Unweighter = Unweighter(),
                          integrand: (any Integrand)? = nil) -> IntegrationResult {
        let sampler = integrand.map { ChannelBatchSampler(integrand: $0) } ?? self.sampler
        let pass = IntegrationPass(sampler: sampler, plan: plan, allocation: configuration.allocation, unweighter: unweighter)
        let sigma = standardDeviations.contains(where: { $0 > 0 }) ? standardDeviations : Array(repeating: 1, count: plan.channelCount)
        let (result, _) = pass.run(points: points, batchSize: batchSize ?? max(configuration.batchSize, 1),
                                   densities: densities, channelWeights: channelWeights, active: active,
                                   standardDeviations: sigma, rngs: &rngs, communicator: communicator)
        integrandCalls += result.integrandCalls
        return result
    }
}
