import XCTest
import Numerics
import Cluster
@testable import Integrator

/// The training loop with fixed (uniform) channel densities: only the channel-weight net learns. Flows come
/// in NeuralSamplerTests.
final class TrainerTests: XCTestCase {
    func makeTrainer(_ toy: any ToyIntegrand, steps: Int, seed: UInt64, configure: (inout TrainerConfiguration) -> Void = { _ in }) throws -> Trainer {
        var config = TrainerConfiguration()
        config.steps = steps
        config.batchSize = 512
        config.learningRate = 3e-3
        config.seed = seed
        configure(&config)
        let densities = Dictionary(uniqueKeysWithValues: (0..<toy.channelCount).map { ($0, UniformDensity(dimension: toy.dimension) as any ChannelDensity) })
        let net = ChannelWeightNetwork(channelCount: toy.channelCount, featureCount: toy.featureCount, seed: seed)
        return try Trainer(integrand: toy, plan: .all(toy.channelCount), densities: densities, channelWeights: net,
                           configuration: config, communicator: SerialCommunicator())
    }

    func testChannelWeightsSumToOneOverActiveChannels() throws {
        let net = ChannelWeightNetwork(channelCount: 4, featureCount: 3, seed: 3)
        // Perturb the zero-initialised last layer so the net is not trivially the prior.
        var p = net.parameters
        var rng = RandomStream(seed: 1)
        for i in p.indices { p[i] += Float(rng.normal() * 0.5) }
        net.network.parameters = p
        var features = MatrixD(rows: 50, cols: 3)
        rng.fillUniform(&features.storage)
        var prior = MatrixD(rows: 50, cols: 4)
        rng.fillUniform(&prior.storage)
        for active in [[true, true, true, true], [true, false, true, false], [false, false, true, false]] {
            for usePrior in [true, false] {
                let alpha = net.forward(features: features, prior: usePrior ? prior : MatrixD(rows: 0, cols: 0), active: active)
                for i in 0..<50 {
                    let row = (0..<4).map { alpha[i, $0] }
                    XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12)
                    for k in 0..<4 where !active[k] { XCTAssertEqual(row[k], 0) }
                    XCTAssertTrue(row.allSatisfy { $0 >= 0 })
                }
            }
        }
        // A fresh net (zero last layer) reproduces the prior exactly.
        let fresh = ChannelWeightNetwork(channelCount: 4, featureCount: 3, seed: 3)
        let alpha = fresh.forward(features: features, prior: prior, active: [true, true, true, true])
        for i in 0..<50 {
            let s = (0..<4).reduce(0.0) { $0 + prior[i, $1] }
            for k in 0..<4 { XCTAssertEqual(alpha[i, k], prior[i, k] / s, accuracy: 1e-12) }
        }
    }

    /// Softmax backward against finite differences of L = Σ g_ik α_ik with respect to the last-layer biases.
    func testChannelWeightBackwardMatchesFiniteDifferences() {
        let net = ChannelWeightNetwork(channelCount: 3, featureCount: 2, hidden: [8], seed: 4)
        var rng = RandomStream(seed: 2)
        var p = net.parameters
        for i in p.indices { p[i] += Float(rng.normal() * 0.3) }
        net.network.parameters = p
        var features = MatrixD(rows: 6, cols: 2)
        rng.fillUniform(&features.storage)
        var g = MatrixD(rows: 6, cols: 3)
        for i in g.storage.indices { g.storage[i] = rng.normal() }
        let active = [true, true, false]
        func loss() -> Double {
            let a = net.forward(features: features, prior: MatrixD(rows: 0, cols: 0), active: active)
            return zip(a.storage, g.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        _ = loss()
        net.network.zeroGradients()
        net.backward(g)
        let analytic = net.network.gradients
        let count = p.count
        // Last layer biases are the final 3 parameters; check them and a few hidden weights.
        for idx in [count - 3, count - 2, 0, 5, 11] {
            let h: Float = 1e-2
            var q = p; q[idx] += h; net.network.parameters = q
            let lp = loss()
            q[idx] -= 2 * h; net.network.parameters = q
            let lm = loss()
            net.network.parameters = p
            let fd = (lp - lm) / Double(2 * h)
            XCTAssertEqual(Double(analytic[idx]), fd, accuracy: 2e-3 * max(1, abs(fd)), "parameter \(idx)")
        }
        XCTAssertEqual(Double(analytic[count - 1]), 0, accuracy: 1e-7, "inactive channel's bias gets no gradient")
    }

    /// Training the channel weights lowers the variance and the result stays within 4σ of the exact value.
    func testChannelWeightTrainingReducesVariance() throws {
        // Wide peaks and no prior: α starts uniform and has to learn which channel maps which peak.
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 3, width: 0.1, usesPriorWeights: false)
        let trainer = try makeTrainer(toy, steps: 150, seed: 7)
        let before = trainer.integrate(points: 20_000)
        trainer.train()
        let after = trainer.integrate(points: 20_000)
        XCTAssertLessThan(after.relativeStandardDeviation, 0.8 * before.relativeStandardDeviation)
        for r in [before, after] {
            XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error)
        }
    }

    func testSameSeedGivesBitIdenticalResults() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.1)
        func run(_ seed: UInt64) throws -> (Double, Double, [Float]) {
            let t = try makeTrainer(toy, steps: 20, seed: seed) { $0.bufferedStepsPerFreshStep = 1 }
            t.train()
            let r = t.integrate(points: 4000)
            return (r.integral, r.error, (t.channelWeights as! ChannelWeightNetwork).parameters)
        }
        let a = try run(5), b = try run(5), c = try run(6)
        XCTAssertEqual(a.0, b.0); XCTAssertEqual(a.1, b.1); XCTAssertEqual(a.2, b.2)
        XCTAssertNotEqual(a.0, c.0)
    }

    func testBadConfigurationIsRejected() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.1)
        XCTAssertThrowsError(try makeTrainer(toy, steps: 1, seed: 1) { $0.batchSize = 0 }) {
            XCTAssertTrue("\($0)".contains("batch size"))
        }
        XCTAssertThrowsError(try Trainer(integrand: toy, plan: .all(2), densities: [:],
                                         channelWeights: PriorChannelWeights(channelCount: 2),
                                         configuration: TrainerConfiguration(), communicator: SerialCommunicator())) {
            XCTAssertTrue("\($0)".contains("no density for owned channel 0"))
        }
    }
}
