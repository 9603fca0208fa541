import XCTest
import Numerics
import Cluster
import Flows
@testable import Integrator

/// The full neural sampler (flows + channel-weight net) on every toy integrand.
final class NeuralSamplerTests: XCTestCase {
    func run(_ toy: any ToyIntegrand, seed: UInt64, steps: Int = 100, batch: Int = 512,
             configure: (inout TrainerConfiguration, inout NeuralSamplerOptions) -> Void = { _, _ in }) throws -> (Trainer, IntegrationResult) {
        var config = TrainerConfiguration()
        config.steps = steps
        config.batchSize = batch
        config.learningRate = 3e-3
        config.seed = seed
        var options = NeuralSamplerOptions()
        options.flow = FlowConfig(bins: 8, hiddenLayers: 2, hiddenUnits: 16)
        configure(&config, &options)
        let trainer = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options,
                                                           communicator: SerialCommunicator())
        trainer.train()
        return (trainer, trainer.integrate(points: 10_000))
    }

    func testGaussianMixtureWithinFourSigmaForSeveralSeeds() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 3, width: 0.05)
        for seed: UInt64 in [1, 2, 3] {
            let (_, r) = try run(toy, seed: seed)
            print("gaussians seed \(seed): \(r.integral) ± \(r.error) exact \(toy.exactIntegral) relstd \(r.relativeStandardDeviation) eff \(r.unweightingEfficiency)")
            XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error)
        }
    }
}
