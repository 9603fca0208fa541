// VEGAS pre-training (MadNIS Reloaded, arXiv:2311.01548 §3.4): adapt a VEGAS grid per channel with the prior
// channel weights (cheap, no gradients), then start each flow from its grid, so training begins from a
// sampler that already follows the integrand's factorisable structure.
import Numerics
import Flows
import Cluster

public struct VegasPretraining: Sendable, Equatable {
    public var iterations = 6
    /// Points per iteration, summed over channels.
    public var pointsPerIteration = 4000
    public var bins = 64
    public var damping = VegasGrid.defaultDamping

    public init(iterations: Int = 6, pointsPerIteration: Int = 4000, bins: Int = 64, damping: Double = VegasGrid.defaultDamping) {
        self.iterations = iterations
        self.pointsPerIteration = pointsPerIteration
        self.bins = bins
        self.damping = damping
    }

    public func validate() throws {
        if iterations < 1 { throw IntegratorError.invalidSetting("VEGAS iterations must be ≥ 1, got \(iterations)") }
        if pointsPerIteration < 1 { throw IntegratorError.invalidSetting("VEGAS points per iteration must be ≥ 1") }
        if bins < 2 { throw IntegratorError.invalidSetting("VEGAS bins must be ≥ 2, got \(bins)") }
        if !(damping > 0 && damping.isFinite) { throw IntegratorError.invalidSetting("VEGAS damping must be a positive number, got \(damping)") }
    }

    /// Adapt grids for the owned channels and load them into the flows. Returns the integrand calls used
    /// (summed over ranks).
    @discardableResult
    func pretrain(integrand: any Integrand, densities: [Int: any ChannelDensity], plan: ChannelPlan, seed: UInt64,
                  communicator: any Communicator) throws -> Int64 {
        try validate()
        let baseline = try VegasBaseline(integrand: integrand, plan: plan, bins: bins, damping: damping, seed: seed ^ 0x5E6A5,
                                         communicator: communicator)
        baseline.adapt(iterations: iterations, pointsPerIteration: pointsPerIteration)
        for (c, density) in densities {
            guard let vegas = baseline.densities[c] as? VegasChannelDensity else { continue }
            (density as? FlowChannelDensity<Float>)?.flow.initialize(fromVegas: vegas.grid)
            (density as? FlowChannelDensity<Double>)?.flow.initialize(fromVegas: vegas.grid)
        }
        return baseline.integrandCalls
    }
}
