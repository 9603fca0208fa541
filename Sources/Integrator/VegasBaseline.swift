// The baseline the neural sampler must beat: multi-channel VEGAS, i.e. a VEGAS grid per channel in front of
// the channel's mapping, fixed prior channel weights, stratified allocation by the channels' σ. It reuses the
// batch sampler, statistics and unweighting of the neural sampler so both are measured identically.
import Numerics
import Flows
import Cluster

public final class VegasBaseline {
    public let plan: ChannelPlan
    public let densities: [Int: any ChannelDensity]
    public let channelWeights: PriorChannelWeights
    public let allocation: ChannelAllocation
    public let dimension: Int
    public let bins: Int
    let pass: IntegrationPass
    let communicator: any Communicator
    var rngs: [RandomStream]
    public private(set) var active: [Bool]
    public private(set) var standardDeviations: [Double]
    public private(set) var integrandCalls: Int64 = 0
    public private(set) var adaptationSeconds = 0.0
    /// Integrand calls of the adaptation iterations only (`integrandCalls` also counts `integrate`).
    public private(set) var adaptationCalls: Int64 = 0
    /// The adaptation iterations' results, combined by inverse variance (what classic VEGAS reports).
    public private(set) var iterationResults = IterationCombiner()
    /// Seconds and points per channel of the last adaptation iteration (summed over ranks): the cost model.
    public private(set) var lastChannelSeconds: [Double] = []
    public private(set) var lastChannelCounts: [Int64] = []

    public init(integrand: any Integrand, plan: ChannelPlan? = nil, bins: Int = 64, damping: Double = VegasGrid.defaultDamping,
                allocation: ChannelAllocation = ChannelAllocation(), seed: UInt64, communicator: any Communicator) throws {
        let plan = plan ?? .all(integrand.channelCount)
        guard plan.channelCount == integrand.channelCount else {
            throw IntegratorError.invalidSetting("VEGAS baseline: plan has \(plan.channelCount) channels, integrand \(integrand.channelCount)")
        }
        guard bins >= 2 else { throw IntegratorError.invalidSetting("VEGAS bins must be ≥ 2, got \(bins)") }
        self.plan = plan
        self.dimension = integrand.dimension
        self.bins = bins
        var d = [Int: any ChannelDensity]()
        for c in plan.ownedChannels { d[c] = VegasChannelDensity(dimension: integrand.dimension, bins: bins, damping: damping) }
        densities = d
        channelWeights = PriorChannelWeights(channelCount: integrand.channelCount)
        self.allocation = allocation
        pass = IntegrationPass(sampler: ChannelBatchSampler(integrand: integrand), plan: plan, allocation: allocation,
                               unweighter: Unweighter())
        self.communicator = communicator
        rngs = ChannelStreams.make(root: RandomStream(seed: seed), plan: plan)
        active = Array(repeating: true, count: plan.channelCount)
        standardDeviations = Array(repeating: 1, count: plan.channelCount)
    }

    /// `iterations` rounds of sampling → grid adaptation, re-allocating channels by their σ each round.
    public func adapt(iterations: Int, pointsPerIteration: Int, progress: ((Int, IntegrationResult) -> Void)? = nil) {
        adapt(iterations: iterations, pointsPerIteration: pointsPerIteration, shouldStop: nil, progress: progress, stopped: {})
    }

    /// As `adapt`, asking the collective `shouldStop` before every iteration; `stopped` is called if it said yes.
    public func adapt(iterations: Int, pointsPerIteration: Int, shouldStop: (() -> Bool)?,
                      progress: ((Int, IntegrationResult) -> Void)?, stopped: () -> Void) {
        let start = communicator.wallTime()
        for k in 0..<iterations {
            if let shouldStop, shouldStop() { stopped(); break }
            let (result, stats) = pass.run(points: pointsPerIteration, batchSize: pointsPerIteration, densities: densities,
                                           channelWeights: channelWeights, active: active,
                                           standardDeviations: standardDeviations, rngs: &rngs,
                                           communicator: communicator, observe: true)
            sumSharedHistograms()
            for d in densities.values { d.adapt() }
            integrandCalls += result.integrandCalls
            adaptationCalls += result.integrandCalls
            for c in 0..<plan.channelCount where stats.counts[c] > 1 { standardDeviations[c] = stats.variance(c).squareRoot() }
            if result.error > 0 { iterationResults.add(value: result.integral, error: result.error) }
            lastChannelSeconds = result.channelSeconds
            lastChannelCounts = stats.counts
            progress?(k + 1, result)
        }
        adaptationSeconds += communicator.wallTime() - start
    }

    /// Ranks sharing a channel sum its grid statistics (one allreduce of a masked buffer; every rank calls it
    /// when any channel is shared), so all replicas of that grid adapt identically.
    func sumSharedHistograms() {
        let shared = plan.sharedChannels
        guard !shared.isEmpty else { return }
        let width = 2 * dimension * bins
        var buffer = [Double](repeating: 0, count: shared.count * width)
        for (k, c) in shared.enumerated() {
            guard let v = densities[c] as? VegasChannelDensity else { continue }
            buffer.replaceSubrange((k * width)..<((k + 1) * width), with: v.accumulated)
        }
        communicator.allreduce(&buffer, .sum)
        for (k, c) in shared.enumerated() {
            (densities[c] as? VegasChannelDensity)?.accumulated = Array(buffer[(k * width)..<((k + 1) * width)])
        }
    }

    /// Every channel's grid on every rank (owners contribute theirs; a shared channel's first owner alone):
    /// what a new plan needs when channels move between ranks after the warm-up.
    public func allGrids() -> [VegasGrid] {
        let width = dimension * (bins + 1)
        var buffer = [Double](repeating: 0, count: plan.channelCount * width)
        for c in plan.ownedChannels where plan.slot(of: c) == 0 {
            guard let v = densities[c] as? VegasChannelDensity else { continue }
            buffer.replaceSubrange((c * width)..<((c + 1) * width), with: v.grid.edges.flatMap { $0 })
        }
        communicator.allreduce(&buffer, .sum)
        return (0..<plan.channelCount).map { c in
            let edges = (0..<dimension).map { j in Array(buffer[(c * width + j * (bins + 1))..<(c * width + (j + 1) * (bins + 1))]) }
            return (try? VegasGrid(edges: edges)) ?? VegasGrid(dimension: dimension, bins: bins)
        }
    }

    /// Integrate with the adapted grids. `integrand` (same channels) replaces the one the grids adapted on,
    /// e.g. the exact |M|² after adapting on a cheaper unbiased estimate of it.
    public func integrate(points: Int, batchSize: Int = 4096, unweighter: Unweighter = Unweighter(),
                          integrand: (any Integrand)? = nil, keepWeights: Bool = false) -> IntegrationResult {
        let sampler = integrand.map { ChannelBatchSampler(integrand: $0) } ?? pass.sampler
        let p = IntegrationPass(sampler: sampler, plan: plan, allocation: allocation, unweighter: unweighter)
        let (result, _) = p.run(points: points, batchSize: batchSize, densities: densities, channelWeights: channelWeights,
                                active: active, standardDeviations: standardDeviations, rngs: &rngs,
                                communicator: communicator, keepWeights: keepWeights)
        integrandCalls += result.integrandCalls
        return result
    }
}
