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
}
