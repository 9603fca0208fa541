import XCTest
import Numerics
import Cluster
import Flows
@testable import Integrator

/// Channels split over two in-process ranks (threads with a `Communicator`) reproduce the one-rank run: the
/// flows are per channel and seeded by channel, the random streams are per channel, and everything global
/// (channel-weight gradients, statistics, loss normalisation, allocation) goes through the communicator.
final class DistributedTrainingTests: XCTestCase {
    func makeConfig() -> TrainerConfiguration {
        var c = TrainerConfiguration()
        c.steps = 15
        c.batchSize = 300
        c.learningRate = 3e-3
        c.seed = 12
        c.bufferedStepsPerFreshStep = 1
        return c
    }

    var options: NeuralSamplerOptions {
        var o = NeuralSamplerOptions()
        o.flow = FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8)
        o.channelWeightHidden = [8]
        o.trainChannelWeights = true   // its gradients are the one thing summed over ranks
        return o
    }

    func testTwoRanksReproduceOneRank() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 3, width: 0.05)
        let serial = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: makeConfig(), options: options,
                                                          communicator: SerialCommunicator())
        serial.train()
        let reference = serial.integrate(points: 6000)

        let config = makeConfig(), opts = options
        let results = try LocalCommunicator.run(size: 2) { comm -> IntegrationResult in
            let plan = ChannelPlan.roundRobin(channelCount: toy.channelCount, rank: comm.rank, size: comm.size)
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: opts, plan: plan,
                                                         communicator: comm)
            t.train()
            return t.integrate(points: 6000)
        }
        XCTAssertEqual(ChannelPlan.roundRobin(channelCount: 3, rank: 0, size: 2).ownedChannels, [0, 2])
        for r in results {
            // Identical on both ranks…
            XCTAssertEqual(r.integral, results[0].integral)
            XCTAssertEqual(r.channelCounts, reference.channelCounts)
            XCTAssertEqual(r.integrandCalls, reference.integrandCalls)
            // …and equal to the serial run up to the summation order of the channel-weight gradients (Float).
            XCTAssertEqual(r.integral, reference.integral, accuracy: 1e-3 * reference.error)
            XCTAssertEqual(r.error, reference.error, accuracy: 1e-3 * reference.error)
        }
    }

    /// Density-aware channel weights on 2 ranks: every rank shares every channel (each needs every flow), the
    /// shared flows stay bit-identical on both ranks, and the answer agrees with the one-rank run and the
    /// exact integral (different point splits, so statistically).
    func testDensityAwareWeightsOnTwoRanksShareEveryChannel() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 3, width: 0.05)
        var opts = options
        opts.densityAwareChannelWeights = true
        let config = makeConfig(), o = opts
        let serial = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: o, communicator: SerialCommunicator())
        serial.train()
        let reference = serial.integrate(points: 6000)
        let results = try LocalCommunicator.run(size: 2) { comm -> (IntegrationResult, [Float]) in
            let plan = ChannelPlan.everyRankOwnsEveryChannel(channelCount: toy.channelCount, rank: comm.rank, size: comm.size)
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: o, plan: plan, communicator: comm)
            t.train()
            let flows = (0..<toy.channelCount).flatMap { (t.densities[$0] as! FlowChannelDensity<Float>).flow.parameters }
            return (t.integrate(points: 6000), flows)
        }
        XCTAssertEqual(results[0].1, results[1].1, "shared flows differ between the ranks")
        let r = results[0].0
        XCTAssertEqual(r.integral, results[1].0.integral)
        XCTAssertEqual(r.integrandCalls, reference.integrandCalls)
        XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 3 * r.error)
        XCTAssertEqual(reference.integral, toy.exactIntegral, accuracy: 3 * reference.error)
    }

    /// Dropping a channel on 2 ranks re-deals the rest by cost: the plan changes identically on both ranks,
    /// a channel that gains an owner arrives with its flow bit-identical to the old owner's, and the integral
    /// over the remaining channels still covers the whole answer.
    func testDroppingRedealsChannelsAndKeepsTheAnswer() throws {
        let toy = try GaussianMixture(dimension: 2, peaks: [
            .init(centre: [0.3, 0.3], width: 0.08, amplitude: 1),
            .init(centre: [0.7, 0.7], width: 0.08, amplitude: 1),
            .init(centre: [0.15, 0.85], width: 0.05, amplitude: 0.006),
        ])
        var config = TrainerConfiguration()
        config.steps = 40; config.batchSize = 600; config.learningRate = 3e-3; config.seed = 6
        config.dropping = ChannelDropping(threshold: 0.03)
        config.droppingInterval = 10
        var opts = NeuralSamplerOptions()
        opts.flow = FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8)
        let options = opts
        let results = try LocalCommunicator.run(size: 2) { comm -> (IntegrationResult, [[Int]], [Int: [Float]], [Bool]) in
            // Channel 2 (the small peak) shares rank 1 with channel 1 at first: [0] → 0, [1, 2] → 1.
            let plan = ChannelPlan(rank: comm.rank, rankCount: 2, owners: [[0], [1], [1]])
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options, plan: plan,
                                                         communicator: comm)
            t.rebalancing = ChannelRebalancing(costs: [1, 1, 1], grids: Array(repeating: VegasGrid(dimension: 2, bins: 4), count: 3),
                                               options: options)
            t.train()
            var flows = [Int: [Float]]()
            for c in t.plan.ownedChannels { flows[c] = (t.densities[c] as! FlowChannelDensity<Float>).flow.parameters }
            return (t.integrate(points: 8000), t.plan.owners, flows, t.active)
        }
        for (r, owners, _, active) in results {
            XCTAssertEqual(active, [true, true, false])
            // With 2 live channels on 2 ranks each keeps one; the dropped one stays where it was.
            XCTAssertEqual(owners, [[0], [1], [1]], "equal costs on 2 ranks: one live channel each, nothing moves")
            XCTAssertEqual(r.integral, results[0].0.integral)
            XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error)
        }
        // Three live channels on 3 "ranks" cannot all stay; after dropping, 2 live channels on 3 ranks share one.
        let shared = try LocalCommunicator.run(size: 3) { comm -> ([[Int]], [Int: [Float]]) in
            let plan = ChannelPlan(rank: comm.rank, rankCount: 3, owners: [[0], [1], [2]])
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options, plan: plan,
                                                         communicator: comm)
            t.rebalancing = ChannelRebalancing(costs: [1, 3, 1], grids: Array(repeating: VegasGrid(dimension: 2, bins: 4), count: 3),
                                               options: options)
            t.train()
            var flows = [Int: [Float]]()
            for c in t.plan.ownedChannels where t.active[c] { flows[c] = (t.densities[c] as! FlowChannelDensity<Float>).flow.parameters }
            return (t.plan.owners, flows)
        }
        let owners = shared[0].0
        XCTAssertTrue(shared.allSatisfy { $0.0 == owners }, "every rank holds the same plan")
        XCTAssertEqual(owners[0].count + owners[1].count, 3, "the 3 ranks are dealt over the 2 live channels: \(owners)")
        // Every replica of a shared live flow is identical.
        for c in 0..<2 where owners[c].count > 1 {
            let replicas = owners[c].map { shared[$0].1[c]! }
            XCTAssertTrue(replicas.allSatisfy { $0 == replicas[0] }, "channel \(c)'s replicas differ")
        }
    }
}
