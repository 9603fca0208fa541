// Unweighted (or weighted) events from a trained sampler on M ranks.
//
// Survey: every rank samples every active channel; the weights of all ranks give each channel's maximum weight
// W_c (default policy: the smallest W_c whose overweight events carry ≤ 0.1 % of the channel's σ).
// Generation: a trial picks channel c with probability P_c = W_c/ΣW, draws x from the channel's density q_c
// and has weight w = α_c f/q_c; it is kept with probability min(1, |w|/W_c). Kept points are distributed as
// Σ_c P_c q_c min(1, w/W_c) ∝ f where no weight exceeds its W_c — exact, with no estimate of the channels'
// integrals involved; an overweight event (|w| > W_c) is kept with relative weight |w|/W_c, so the sample stays
// unbiased. σ comes from every trial on every rank: σ̂ = ⟨w/P_c⟩ over trials (zeros included).
// Each rank draws from its own streams keyed by (seed, rank, channel): no two ranks repeat a point. The K
// events are split over ranks; events reach the sinks in collective rounds of `flushEvents` (all ranks join
// every round, ranks that are done with nothing), so a parallel file is written in blocks while it runs.
import Numerics
import Flows
import Cluster
import EventIO

public struct GenerationSettings: Sendable, Equatable {
    /// Events to write, summed over ranks.
    public var events: Int
    public var weighted = false
    public var seed: UInt64 = 1
    /// Survey points summed over ranks (allocated over channels by their σ, at least `minimumSurveyPerChannel`).
    public var surveyPoints = 100_000
    public var minimumSurveyPerChannel = 1_000
    public var estimator = MaximumWeightEstimator.crossSectionShare(1e-3)
    /// Trial points per rank and batch (upper bound; batches shrink near the end to limit the overshoot).
    public var batchSize = 4096
    /// Events per collective write round, summed over ranks.
    public var flushEvents = 10_000
    /// A run stops when more than this share of its trials had NaN or infinite values (checked from
    /// `minimumTrialsForFaultCheck` trials on, summed over ranks).
    public var maximumFaultShare = 1e-3
    public var minimumTrialsForFaultCheck: Int64 = 10_000

    public init(events: Int) { self.events = events }

    public func validate() throws {
        func check(_ ok: Bool, _ m: String) throws { if !ok { throw IntegratorError.invalidSetting(m) } }
        try check(events >= 1, "the number of events must be ≥ 1, got \(events)")
        try check(surveyPoints >= 1, "survey points must be ≥ 1, got \(surveyPoints)")
        try check(minimumSurveyPerChannel >= 0, "survey minimum per channel must be ≥ 0")
        try check(batchSize >= 1, "generation batch size must be ≥ 1, got \(batchSize)")
        try check(flushEvents >= 1, "flush_events must be ≥ 1, got \(flushEvents)")
        try check(maximumFaultShare >= 0 && maximumFaultShare <= 1, "max_fault_share must be in [0, 1], got \(maximumFaultShare)")
    }
}

/// What a generation run reports (identical on every rank).
public struct GenerationSummary: Sendable {
    public var crossSection: Double
    public var error: Double
    public var events: Int64
    public var trials: Int64
    /// Events / trials (unweighted runs).
    public var efficiency: Double
    public var overweightEvents: Int64
    /// Share of Σ event weights carried by overweight events.
    public var overweightShare: Double
    public var processCrossSections: [Double]
    public var processErrors: [Double]
    public var processEvents: [Int64]
    public var maximumWeights: [Double]
    public var surveyCrossSection: Double
    public var surveyError: Double
    /// Trials whose weight was NaN or infinite (excluded, counted), in total and by source.
    public var nonFiniteTrials: Int64
    public var faults: NumericalFaults
    /// Accepted points the physics could not turn into an event (dropped, counted).
    public var lostEvents: Int64
    public var unitWeight: Double
    /// Wall seconds of each rank (survey + generation + writing).
    public var rankSeconds: [Double]
    public var estimatorName: String
}

public final class EventGenerator {
    public let integrand: any Integrand
    public let model: SamplerModel
    public let settings: GenerationSettings
    public let communicator: any Communicator
    let densities: [Int: any ChannelDensity]
    let channelWeights: any ChannelWeights
    let sampler: ChannelBatchSampler

    public init(integrand: any Integrand, model: SamplerModel, settings: GenerationSettings, communicator: any Communicator) throws {
        try settings.validate()
        guard model.complete else {
            throw IntegratorError.modelMismatch("its training is not complete (\(model.stepsDone) of \(model.totalSteps) steps); finish it with `nisgen train --resume`")
        }
        guard model.channelCount == integrand.channelCount, model.dimension == integrand.dimension else {
            throw IntegratorError.modelMismatch("it has \(model.channelCount) channels in \(model.dimension) dimensions, the process \(integrand.channelCount) in \(integrand.dimension)")
        }
        self.integrand = integrand
        self.model = model
        self.settings = settings
        self.communicator = communicator
        sampler = ChannelBatchSampler(integrand: integrand)
        var d = [Int: any ChannelDensity]()
        for c in 0..<model.channelCount where model.active[c] {
            let f = FlowChannelDensity<Float>(dimension: model.dimension, config: model.flow, seed: 0, uniformFraction: model.uniformFraction)
            guard f.flow.parameterCount == model.flowParameters[c].count else {
                throw IntegratorError.modelMismatch("channel \(c) stores \(model.flowParameters[c].count) flow parameters, its flow settings need \(f.flow.parameterCount)")
            }
            f.flow.parameters = model.flowParameters[c]
            f.place(on: model.vegasGrids[c], inGridCoordinates: model.flowsInGridCoordinates,
                    gridIsDefensive: model.defensiveMixtureUsesVegasGrid, start: false)
            d[c] = f
        }
        densities = d
        channelWeights = NeuralSamplerOptions(channelWeightsOf: model).makeChannelWeights(for: integrand, seed: model.seed)
        if let net = channelWeights as? ChannelWeightNetwork {
            guard net.parameters.count == model.channelWeightParameters.count else {
                throw IntegratorError.modelMismatch("the channel-weight net stores \(model.channelWeightParameters.count) parameters, this process needs \(net.parameters.count)")
            }
            net.parameters = model.channelWeightParameters
        }
    }

    var rankRoot: RandomStream { RandomStream(seed: settings.seed, stream: 0x6E4E_0000).substream(UInt64(communicator.rank)) }

    /// Sample a channel's points with their channel weights, so `weights` gives w = α_c v / q_c.
    func weightedBatch(channel c: Int, count: Int, rng: inout RandomStream) -> ChannelBatch {
        var batches = [sampler.sample(channel: c, count: count, density: densities[c]!, rng: &rng)]
        sampler.assignChannelWeights(&batches, model: channelWeights, active: model.active, densities: densities)
        return batches[0]
    }

    /// The survey: per-channel maximum weights from the weights of all ranks, and σ from the same points.
    public func survey() -> (maxima: [Double], crossSection: Double, error: Double) {
        let c = model.channelCount
        let counts = ChannelAllocation(uniformFraction: 0.2, minimumPerChannel: settings.minimumSurveyPerChannel)
            .allocate(total: settings.surveyPoints, standardDeviations: model.standardDeviations, active: model.active)
        let plan = ChannelPlan(rank: communicator.rank, rankCount: communicator.size,
                               owners: Array(repeating: Array(0..<communicator.size), count: c))
        var local = [Int: [Double]]()
        var stats = ChannelStatistics(channelCount: c)
        let root = rankRoot.substream(0x5A11)
        for ch in 0..<c where model.active[ch] {
            let n = plan.localCount(ch, total: counts[ch])
            guard n > 0 else { continue }
            var rng = root.substream(UInt64(ch))
            let w = weightedBatch(channel: ch, count: n, rng: &rng).weights.map { $0.isFinite ? $0 : 0 }
            stats.add(channel: ch, weights: w)
            local[ch] = w
        }
        let global = stats.reduced(over: communicator)
        let maxima = ChannelWeightGather.estimate(local, channelCount: c, estimator: settings.estimator,
                                                  seed: settings.seed, communicator: communicator)
        return (maxima, global.integral, global.error)
    }

    /// How a call to `generate` ended.
    public enum Outcome {
        /// All events written, sinks finished.
        case finished(GenerationSummary)
        /// Stopped on request after `events` of `target` events: the sinks hold them with a resume record.
        case interrupted(events: Int64, target: Int64)
    }

    /// Survey, then generate into the sinks; `resume` continues an interrupted run from the sink's record
    /// (same rank count and settings; the survey is not repeated). `stopRequested` is polled between write
    /// rounds: when it is true on any rank, every sink is suspended. `progress(eventsWritten, trials)` after
    /// every round (global).
    public func generate(maker: any EventMaker, sinks: [any EventSink], resume: SinkResumeState? = nil,
                         stopRequested: () -> Bool = { false },
                         progress: ((Int64, Int64) -> Void)? = nil) throws -> Outcome {
        let start = communicator.wallTime()
        do {
            var state = try initialState(processes: maker.processes.count, resume: resume)
            let total = state.maxima.reduce(0, +)
            guard total > 0, total.isFinite else {
                throw IntegratorError.generation("the survey found no point with a non-zero weight (σ = \(state.surveyCrossSection) pb): check the cuts and the model")
            }
            let pick = state.maxima.map { $0 / total }
            var cumulative = [Double](), acc = 0.0
            for p in pick { acc += p; cumulative.append(acc) }
            let m = communicator.size
            let perRound = max(1, (settings.flushEvents + m - 1) / m)
            let acceptance = max(state.surveyCrossSection / total, 1e-6)
            while true {
                var flags = [Int64(state.tally.remaining > 0 || !state.pending.isEmpty ? 1 : 0), stopRequested() ? 1 : 0]
                communicator.allreduce(&flags, .max)
                guard flags[0] == 1 else { break }
                if flags[1] == 1 {
                    let record = state.resumeState(settings: settings, elapsed: communicator.wallTime() - start)
                    for s in sinks { try s.suspend(record) }
                    return .interrupted(events: communicator.allreduce(state.tally.written, .sum), target: Int64(settings.events))
                }
                let target = min(state.tally.remaining, perRound)
                while state.pending.count < target {
                    let needed = target - state.pending.count
                    let batch = settings.weighted ? min(settings.batchSize, max(needed * 2, 64))
                                                  : min(settings.batchSize, max(Int(Double(needed) / acceptance * 1.2), 64))
                    try trialBatch(batch, pick: pick, cumulative: cumulative, maker: maker, state: &state)
                }
                // Write this round's events; extras beyond the rank's total are dropped (σ comes from the trials).
                let block = Array(state.pending.prefix(target))
                state.pending.removeFirst(block.count)
                state.tally.account(block, weighted: settings.weighted)
                if state.tally.remaining == 0 { state.pending.removeAll() }
                for s in sinks { try s.write(block) }
                var counters = [state.tally.written, state.tally.trials, state.tally.faults.total]
                communicator.allreduce(&counters, .sum)
                try checkFaults(trials: counters[1], faults: counters[2], state.tally)
                progress?(counters[0], counters[1])
            }
            return .finished(try finish(state.tally, maxima: state.maxima, survey: (state.surveyCrossSection, state.surveyError),
                                        processes: maker.processes.count, sinks: sinks, start: start))
        } catch {
            for s in sinks { s.abandon() }
            throw error
        }
    }

    /// A new run's state after the survey, or an interrupted run's state from its record.
    func initialState(processes: Int, resume: SinkResumeState?) throws -> GenerationState {
        let m = communicator.size, r = communicator.rank
        let quota = settings.events / m + (r < settings.events % m ? 1 : 0)
        let tally = GenerationTally(remaining: quota, channels: model.channelCount, processes: processes)
        let blank = GenerationState(tally: tally, root: rankRoot, channels: model.channelCount,
                                    maxima: [Double](repeating: 0, count: model.channelCount), surveyCrossSection: 0, surveyError: 0)
        if let resume {
            let restored = Result { try GenerationState(resuming: resume, fresh: blank, settings: settings) }
            guard communicator.allAgree((try? restored.get()) != nil) else {
                _ = try restored.get()
                throw IntegratorError.generation("another rank's resume record does not fit this run")
            }
            return try restored.get()
        }
        var state = blank
        (state.maxima, state.surveyCrossSection, state.surveyError) = survey()
        return state
    }

    /// `count` trials: channels drawn with probabilities `pick`, points sampled, weights checked, accepted
    /// points made into events (appended to `state.pending`).
    func trialBatch(_ count: Int, pick: [Double], cumulative: [Double], maker: any EventMaker, state: inout GenerationState) throws {
        let c = model.channelCount
        // Trials per channel: a multinomial draw with probabilities P_c.
        var counts = [Int](repeating: 0, count: c)
        for _ in 0..<count {
            let u = state.select.uniform()
            var k = 0
            while k < c - 1 && (cumulative[k] <= u || pick[k] == 0) { k += 1 }
            counts[k] += 1
        }
        for ch in 0..<c where counts[ch] > 0 && pick[ch] > 0 {
            let b = weightedBatch(channel: ch, count: counts[ch], rng: &state.channelStreams[ch])
            state.tally.faults.add(b.faults)
            state.tally.channelFaults[ch] += b.faults.total
            var w = b.weights
            var keep = [Int](), rho = [Double](), trialCounts = [Int64]()
            let maximum = state.maxima[ch]
            for i in w.indices {
                if !w[i].isFinite {
                    // The integrand reports its own faults (value 0); what is left is the sampler's.
                    state.tally.faults.record(!b.logQSample[i].isFinite ? .density : (!b.alpha[i].isFinite ? .channelWeight : .integrand))
                    state.tally.channelFaults[ch] += 1
                    w[i] = 0
                }
                let x = w[i] / pick[ch]
                state.tally.addTrial(x)
                guard w[i] != 0 else { continue }
                let a = abs(w[i])
                if settings.weighted {
                    keep.append(i); rho.append(x)
                } else if a >= maximum || state.unweight.uniform() * maximum < a {
                    keep.append(i)
                    rho.append((w[i] < 0 ? -1 : 1) * max(a / maximum, 1))
                } else {
                    continue
                }
                trialCounts.append(state.tally.sinceLast)
                state.tally.sinceLast = 0
            }
            guard !keep.isEmpty else { continue }
            var points = MatrixD(rows: keep.count, cols: b.points.cols)
            for (row, i) in keep.enumerated() { for k in 0..<b.points.cols { points[row, k] = b.points[i, k] } }
            let records = try maker.events(channel: ch, points: points, relativeWeights: rho, trials: trialCounts, rng: &state.physics)
            for record in records {
                if let record { state.pending.append(record) } else { state.tally.lost += 1 }
            }
        }
    }

    /// Stop a run whose share of non-finite trials (global) exceeds the setting, saying where they came from.
    func checkFaults(trials: Int64, faults: Int64, _ tally: GenerationTally) throws {
        guard trials >= settings.minimumTrialsForFaultCheck,
              Double(faults) > settings.maximumFaultShare * Double(trials) else { return }
        var counts = tally.faults.counts
        communicator.allreduce(&counts, .sum)
        var byChannel = tally.channelFaults
        communicator.allreduce(&byChannel, .sum)
        let worst = byChannel.indices.max { byChannel[$0] < byChannel[$1] } ?? 0
        let name = worst < model.channelNames.count ? " '\(model.channelNames[worst])'" : ""
        let share = Double(faults) / Double(trials)
        throw IntegratorError.numericalFaults("\(faults) of \(trials) trials (\(Self.percent(share))) had NaN or infinite values, more than max_fault_share = \(Self.percent(settings.maximumFaultShare)): \(NumericalFaults(counts: counts).summary); most in channel \(worst)\(name) (\(byChannel[worst]))")
    }

    static func percent(_ x: Double) -> String {
        let p = x * 100
        return p >= 1 ? "\((p * 10).rounded() / 10) %" : "\((p * 1000).rounded() / 1000) %"
    }

    /// Totals over ranks, the summary, and the sinks finished with them.
    func finish(_ t: GenerationTally, maxima: [Double], survey: (Double, Double), processes: Int,
                sinks: [any EventSink], start: Double) throws -> GenerationSummary {
        var sums = [t.sumX, t.sumX2, t.rhoSum, t.overweightRho] + t.processRho + t.processRho2
        communicator.allreduce(&sums, .sum)
        var counts = [t.trials, t.written, t.faults.total, t.lost, t.overweight] + t.processEvents
        communicator.allreduce(&counts, .sum)
        var faultCounts = t.faults.counts
        communicator.allreduce(&faultCounts, .sum)
        let n = Double(max(counts[0], 1))
        let sigma = sums[0] / n
        let error = counts[0] > 1 ? (max(sums[1] / n - sigma * sigma, 0) / (n - 1)).squareRoot() : 0
        let totalRho = sums[2]
        let unit = totalRho != 0 ? sigma / totalRho : 0
        let eventsTotal = Double(max(counts[1], 1))
        var processSigma = [Double](), processError = [Double]()
        for p in 0..<processes {
            let rho = sums[4 + p], rho2 = sums[4 + processes + p]
            let s = rho * unit
            processSigma.append(s)
            if settings.weighted {
                // Exact decomposition of the trial estimator: σ_p = Σx_p/N, with x in pb (ρ = x).
                processError.append(counts[0] > 1 ? (max(rho2 / n - s * s, 0) / (n - 1)).squareRoot() : 0)
            } else {
                // The process's share of the events (binomial) on top of σ's own error.
                let f = sigma != 0 ? s / sigma : 0
                let binomial = sigma * (max(f * (1 - f), 0) / eventsTotal).squareRoot()
                processError.append((f * f * error * error + binomial * binomial).squareRoot())
            }
        }
        let seconds = communicator.gather([t.earlierSeconds + communicator.wallTime() - start], root: 0).map { $0.first ?? 0 }
        let perRank = communicator.broadcastArray(seconds, root: 0)
        let totals = EventRunTotals(crossSection: sigma, error: error, processCrossSections: processSigma, processErrors: processError,
                                    processMaximumWeights: Array(repeating: unit, count: processes), unitWeight: unit,
                                    events: counts[1], trials: counts[0])
        for s in sinks { try s.finish(totals) }
        return GenerationSummary(crossSection: sigma, error: error, events: counts[1], trials: counts[0],
                                 efficiency: Double(counts[1]) / n, overweightEvents: counts[4],
                                 overweightShare: totalRho != 0 ? sums[3] / abs(totalRho) : 0,
                                 processCrossSections: processSigma, processErrors: processError,
                                 processEvents: Array(counts[5...]), maximumWeights: maxima,
                                 surveyCrossSection: survey.0, surveyError: survey.1, nonFiniteTrials: counts[2],
                                 faults: NumericalFaults(counts: faultCounts),
                                 lostEvents: counts[3], unitWeight: unit, rankSeconds: perRank, estimatorName: settings.estimator.name)
    }
}

/// Weights of every channel from all ranks, estimated on rank 0 and broadcast: [channel, count, weights…]
/// records gathered in rank order.
enum ChannelWeightGather {
    static func estimate(_ local: [Int: [Double]], channelCount: Int, estimator: MaximumWeightEstimator, seed: UInt64,
                         communicator: any Communicator) -> [Double] {
        var record = [Double]()
        for (c, w) in local.sorted(by: { $0.key < $1.key }) { record += [Double(c), Double(w.count)] + w }
        let all = communicator.gather(record, root: 0)
        var maxima = [Double](repeating: 0, count: channelCount)
        if communicator.isRoot {
            var byChannel = [[Double]](repeating: [], count: channelCount)
            for r in all {
                var i = 0
                while i + 1 < r.count {
                    let c = Int(r[i]), n = Int(r[i + 1])
                    byChannel[c] += r[(i + 2)..<(i + 2 + n)]
                    i += 2 + n
                }
            }
            var rng = RandomStream(seed: seed, stream: 0x3A7)
            maxima = byChannel.map { estimator.estimate($0, rng: &rng) }
        }
        communicator.broadcast(&maxima, root: 0)
        return maxima
    }
}
