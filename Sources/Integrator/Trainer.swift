// The training loop of the neural multi-channel sampler: sample each owned channel through its density,
// weight by α from the shared channel-weight model, take the loss's gradients into the densities (local to this
// rank) and the channel-weight model (summed over ranks), then keep statistics for stratified allocation and
// channel dropping, and optionally replay buffered points (MadNIS Reloaded, arXiv:2311.01548).
import Numerics
import Cluster

/// What one training step reports (identical on every rank).
public struct TrainingProgress: Sendable, Equatable {
    public var step: Int
    public var loss: Double
    public var integral: Double
    /// Monte Carlo error of this step's estimate.
    public var error: Double = 0
    public var relativeStandardDeviation: Double
    /// Unweighting efficiency of this step's points: Σ_c share_c ⟨|w|⟩_c / max_c |w| (exact maxima, so a
    /// pessimistic, noisy diagnostic).
    public var efficiency: Double = 0
    public var learningRate: Double
    public var activeChannels: Int
    public var integrandCalls: Int64
}

public final class Trainer {
    public let sampler: ChannelBatchSampler
    public internal(set) var plan: ChannelPlan
    public internal(set) var densities: [Int: any ChannelDensity]
    /// When set, dropping channels re-deals the remaining ones over the ranks by cost (see Trainer+Rebalance).
    public var rebalancing: ChannelRebalancing?
    public let channelWeights: any ChannelWeights
    public let configuration: TrainerConfiguration
    public let communicator: any Communicator
    let loss: MultiChannelLoss
    public internal(set) var active: [Bool]
    /// Smoothed per-channel σ and mean (global), driving allocation and dropping.
    public internal(set) var standardDeviations: [Double]
    public internal(set) var channelMeans: [Double]
    public internal(set) var stepsDone = 0
    /// Integrand evaluations summed over ranks.
    public internal(set) var integrandCalls: Int64 = 0
    /// NaN or infinite values met in this rank's fresh steps (those points were excluded), by source.
    public internal(set) var numericalFaults = NumericalFaults()
    public internal(set) var trainingSeconds = 0.0
    /// Integrand calls and seconds spent before training (VEGAS pre-training), summed over ranks.
    public internal(set) var pretrainingCalls: Int64 = 0
    public internal(set) var pretrainingSeconds = 0.0
    var rngs: [RandomStream]
    var buffer: ReplayBuffer?
    /// How often the channels were re-dealt (keys fresh random streams).
    public internal(set) var epochs = 0
    /// Asked after every step by `train`, e.g. whether a signal asked the job to save and stop.
    public var stopRequested: (() -> Bool)?
    /// One entry per fresh step (identical on every rank).
    public internal(set) var history: [TrainingProgress] = []
    /// Keeps the state with the lowest held-out variance and restores it when training ends (nil: the last
    /// state is kept).
    public var selection: SnapshotSelection?

    /// `densities` must hold one density per channel in `plan.ownedChannels`.
    public init(integrand: any Integrand, plan: ChannelPlan, densities: [Int: any ChannelDensity],
                channelWeights: any ChannelWeights, configuration: TrainerConfiguration,
                communicator: any Communicator) throws {
        try configuration.validate()
        guard plan.channelCount == integrand.channelCount, channelWeights.channelCount == integrand.channelCount else {
            throw IntegratorError.invalidSetting("trainer: channel counts differ (integrand \(integrand.channelCount), plan \(plan.channelCount), weights \(channelWeights.channelCount))")
        }
        for c in plan.ownedChannels where densities[c] == nil {
            throw IntegratorError.invalidSetting("trainer: no density for owned channel \(c)")
        }
        if channelWeights.usesChannelDensities {
            guard integrand is any ChannelCoordinateMapping else {
                throw IntegratorError.invalidSetting("density-aware channel weights need an integrand whose channels can be inverted")
            }
            guard plan.ownedChannels.count == plan.channelCount else {
                throw IntegratorError.invalidSetting("density-aware channel weights need every channel's density on every rank (this rank owns \(plan.ownedChannels.count) of \(plan.channelCount) channels)")
            }
        }
        // Shared channels' gradients travel in one buffer: their flows must have one shape.
        let sharedSizes = Set(plan.sharedChannels.compactMap { (densities[$0] as? SharedGradientDensity)?.gradientCount })
        guard sharedSizes.count <= 1, plan.sharedChannels.allSatisfy({ !plan.owns($0) || densities[$0] is SharedGradientDensity }) else {
            throw IntegratorError.invalidSetting("trainer: channels shared by several ranks need flows of one shape")
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
        rngs = ChannelStreams.make(root: RandomStream(seed: configuration.seed), plan: plan)
        if configuration.bufferedStepsPerFreshStep > 0 {
            buffer = ReplayBuffer(capacity: configuration.bufferCapacity, reuses: configuration.bufferedStepsPerFreshStep)
        }
    }

    /// Run up to the configured number of steps (counting steps already done, e.g. before a resume);
    /// `progress` is called after each fresh step; `stopRequested` is asked after every step (collectively:
    /// ranks agree, so all stop at the same step). Returns true when all steps are done.
    @discardableResult
    public func train(progress: ((TrainingProgress) -> Void)? = nil) -> Bool {
        let start = communicator.wallTime()
        defer { trainingSeconds += communicator.wallTime() - start }
        if let selection, selection.scores.isEmpty { scoreAndKeepBest(selection) }
        while stepsDone < configuration.steps {
            let report = freshStep()
            for _ in 0..<configuration.bufferedStepsPerFreshStep {
                guard let replayed = buffer?.replay() else { break }
                bufferedStep(replayed)
            }
            // Scored before `progress`, so a checkpoint written there holds this step's score.
            if let selection, selection.isDue(step: stepsDone, of: configuration.steps) { scoreAndKeepBest(selection) }
            progress?(report)
            if let stopRequested, stepsDone < configuration.steps, communicator.allreduce(Int64(stopRequested() ? 1 : 0), .max) == 1 {
                return false
            }
        }
        if let best = selection?.best { restoreSnapshot(best) }
        return true
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
        let c = plan.channelCount
        let sigma = configuration.stratifiedTraining ? standardDeviations : Array(repeating: 1, count: c)
        let counts = configuration.allocation.allocate(total: configuration.batchSize, standardDeviations: sigma, active: active)
        var batches = [ChannelBatch]()
        var shares = [Double]()
        for ch in plan.ownedChannels where active[ch] && counts[ch] > 0 {
            let n = plan.localCount(ch, total: counts[ch])
            // A sharing rank with no points this step still steps the channel's flow (on the owners' summed
            // gradients), so it keeps an empty batch.
            batches.append(n > 0 ? sampler.sample(channel: ch, count: n, density: densities[ch]!, rng: &rngs[ch],
                                                  forTraining: configuration.singlePassFreshSteps)
                                 : emptyBatch(channel: ch))
            shares.append(Double(n) / Double(counts[ch]))
        }
        let lossValue = optimise(&batches, shares: shares, fresh: configuration.singlePassFreshSteps)
        // Statistics of this step (global), smoothed into the allocation estimates.
        var stats = ChannelStatistics(channelCount: c)
        var maxima = [Double](repeating: 0, count: c)
        for b in batches {
            numericalFaults.add(b.faults)
            let w = b.weights
            stats.add(channel: b.channel, weights: w)
            maxima[b.channel] = w.reduce(0) { max($0, abs($1)) }
        }
        let global = stats.reduced(over: communicator)
        communicator.allreduce(&maxima, .max)
        let lambda = stepsDone == 0 ? 0 : configuration.statisticsSmoothing
        for ch in 0..<c where global.counts[ch] > 0 {
            standardDeviations[ch] = lambda * standardDeviations[ch] + (1 - lambda) * global.variance(ch).squareRoot()
            channelMeans[ch] = lambda * channelMeans[ch] + (1 - lambda) * global.mean(ch)
        }
        integrandCalls += global.totalCount
        buffer?.store(zip(batches, shares).map { b, share in
            BufferedBatch(channel: b.channel, points: b.points, value: b.value, logQSample: b.logQSample,
                          features: b.features, priorWeights: b.priorWeights, share: share)
        })
        let lr = learningRate
        stepsDone += 1
        if let dropping = configuration.dropping, stepsDone % configuration.droppingInterval == 0 {
            let updated = dropping.update(active: active, channelIntegrals: channelMeans)
            if updated != active {
                active = updated
                selection?.forgetBest()
                let mask = active
                buffer?.removeChannels { !mask[$0] }
                // Density-aware weights need every channel's density on every rank: no re-dealing then.
                if let r = rebalancing, !channelWeights.usesChannelDensities { rebalance(r) }
            }
        }
        // This step's unweighting efficiency against its own maxima, combined as the generator keeps events
        // (ChannelCombinedUnweighting): 1/Σ_c s_c/ε_c.
        let absTotal = global.means.reduce(0) { $0 + abs($1) }
        var trialsPerEvent = 0.0
        for ch in 0..<c where maxima[ch] > 0 && absTotal > 0 {
            let channelEfficiency = abs(global.sumWeights[ch]) / Double(global.counts[ch]) / maxima[ch]
            if channelEfficiency > 0 { trialsPerEvent += abs(global.mean(ch)) / absTotal / channelEfficiency }
        }
        let efficiency = trialsPerEvent > 0 ? 1 / trialsPerEvent : 0
        let report = TrainingProgress(step: stepsDone, loss: lossValue, integral: global.integral, error: global.error,
                                      relativeStandardDeviation: global.relativeStandardDeviation, efficiency: efficiency,
                                      learningRate: lr, activeChannels: active.filter { $0 }.count, integrandCalls: integrandCalls)
        history.append(report)
        return report
    }

    func emptyBatch(channel: Int) -> ChannelBatch {
        let d = sampler.integrand.dimension
        let k = sampler.integrand.featureCount > 0 ? sampler.integrand.featureCount : d
        return ChannelBatch(channel: channel, points: MatrixD(rows: 0, cols: d), logQSample: [], value: [],
                            features: MatrixD(rows: 0, cols: k), priorWeights: MatrixD(rows: 0, cols: 0))
    }

    /// One step on replayed points: no integrand calls, density ratio q/q_s inside the loss.
    func bufferedStep(_ stored: [BufferedBatch]) {
        let kept = stored.filter { active[$0.channel] }
        var batches = kept.map {
            ChannelBatch(channel: $0.channel, points: $0.points, logQSample: $0.logQSample, value: $0.value,
                         features: $0.features, priorWeights: $0.priorWeights)
        }
        _ = optimise(&batches, shares: kept.map(\.share), fresh: false)
    }

    /// α forward, log q forward (skipped for `fresh` batches: sampling kept the densities' backward state),
    /// loss, both backwards, the sum of shared channels' gradients over their owners, optimiser steps.
    /// Returns the loss.
    func optimise(_ batches: inout [ChannelBatch], shares: [Double], fresh: Bool) -> Double {
        let lr = learningRate
        // Ranks with no points still take part in every collective.
        sampler.assignChannelWeights(&batches, model: channelWeights, active: active, densities: densities,
                                     sampledByCurrentDensities: fresh)
        // Density-aware weights evaluated every flow at every point: redo the training pass so each flow's
        // backward state belongs to its own points.
        let reuseSamplingPass = fresh && !channelWeights.usesChannelDensities
        var lossBatches = [ChannelLossBatch]()
        for (j, b) in batches.enumerated() {
            let logQ = reuseSamplingPass || b.count == 0 ? b.logQSample : densities[b.channel]!.logDensityForTraining(b.points)
            lossBatches.append(ChannelLossBatch(channel: b.channel, value: b.value, alpha: b.alpha, logQ: logQ,
                                                logQSample: b.logQSample, share: shares[j]))
        }
        let result = loss.evaluate(lossBatches, channelCount: plan.channelCount, communicator: communicator)
        for (j, b) in batches.enumerated() where b.count > 0 {
            densities[b.channel]!.backward(result.dLogQ[j])
        }
        sumSharedGradients(stepping: Set(batches.map(\.channel)))
        for b in batches { densities[b.channel]!.step(learningRate: lr) }
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

    /// Sum the gradients of shared channels over their owners: one allreduce of a masked buffer (owners put
    /// their gradients in their channel's slot, everyone else zeros), called by every rank whenever any
    /// active channel is shared, so all replicas of a shared flow take the same step.
    func sumSharedGradients(stepping: Set<Int>) {
        let shared = plan.sharedChannels.filter { active[$0] }
        guard !shared.isEmpty else { return }
        guard let width = densities.values.compactMap({ ($0 as? SharedGradientDensity)?.gradientCount }).first else {
            communicator.abort("trainer: rank \(communicator.rank) owns no flow to size the shared-gradient buffer", code: 70)
        }
        var buffer = [Double](repeating: 0, count: shared.count * width)
        for (k, ch) in shared.enumerated() where stepping.contains(ch) {
            guard let d = densities[ch] as? SharedGradientDensity else { continue }
            buffer.replaceSubrange((k * width)..<((k + 1) * width), with: d.accumulatedGradients())
        }
        communicator.allreduce(&buffer, .sum)
        for (k, ch) in shared.enumerated() where stepping.contains(ch) {
            (densities[ch] as? SharedGradientDensity)?.replaceGradients(Array(buffer[(k * width)..<((k + 1) * width)]))
        }
    }

    /// Integrate with the trained sampler (no training), allocating by the training's σ estimates.
    /// `integrand` (same channels) replaces the training integrand, e.g. exact |M|² after training on a
    /// cheaper unbiased estimate of it.
    public func integrate(points: Int, batchSize: Int? = nil, unweighter: Unweighter = Unweighter(),
                          integrand: (any Integrand)? = nil, keepWeights: Bool = false) -> IntegrationResult {
        let sampler = integrand.map { ChannelBatchSampler(integrand: $0) } ?? self.sampler
        let pass = IntegrationPass(sampler: sampler, plan: plan, allocation: configuration.allocation, unweighter: unweighter)
        let sigma = standardDeviations.contains(where: { $0 > 0 }) ? standardDeviations : Array(repeating: 1, count: plan.channelCount)
        let (result, _) = pass.run(points: points, batchSize: batchSize ?? max(configuration.batchSize, 1),
                                   densities: densities, channelWeights: channelWeights, active: active,
                                   standardDeviations: sigma, rngs: &rngs, communicator: communicator, keepWeights: keepWeights)
        integrandCalls += result.integrandCalls
        return result
    }
}
