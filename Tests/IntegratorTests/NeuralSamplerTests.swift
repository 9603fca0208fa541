import XCTest
import Numerics
import Cluster
import Flows
@testable import Integrator

/// The full neural sampler (flows + channel-weight net) on every toy integrand: unbiased within the reported
/// error for several seeds, better than before training, reproducible; buffering and dropping change the cost,
/// not the answer. Budgets are small (debug build).
final class NeuralSamplerTests: XCTestCase {
    let comm = SerialCommunicator()

    func config(seed: UInt64, steps: Int, batch: Int = 256) -> TrainerConfiguration {
        var c = TrainerConfiguration()
        c.steps = steps
        c.batchSize = batch
        c.learningRate = 3e-3
        c.seed = seed
        return c
    }

    var smallFlow: NeuralSamplerOptions {
        var o = NeuralSamplerOptions()
        o.flow = FlowConfig(bins: 8, hiddenLayers: 2, hiddenUnits: 16)
        o.channelWeightHidden = [16]
        return o
    }

    func testEveryToyWithinFourSigmaForSeveralSeeds() throws {
        let toys: [any ToyIntegrand] = [
            try GaussianMixture.standard(dimension: 2, peaks: 3, width: 0.05),
            try GaussianMixture.camel(dimension: 3),
            try Annulus(radius: 0.3, width: 0.03),
            try BreitWignerProduct(masses: [0.3, 0.6], widths: [0.05, 0.03]),
        ]
        for toy in toys {
            for seed: UInt64 in [1, 2, 3] {
                let trainer = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config(seed: seed, steps: 40),
                                                                   options: smallFlow, communicator: comm)
                trainer.train()
                let r = trainer.integrate(points: 8000)
                XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error, "\(toy.name) seed \(seed)")
                XCTAssertLessThan(r.error, 0.05 * toy.exactIntegral, "\(toy.name): error implausibly large")
            }
        }
    }

    func testTrainingImprovesOverTheUntrainedSampler() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.03)
        let trainer = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config(seed: 3, steps: 120),
                                                           options: smallFlow, communicator: comm)
        let before = trainer.integrate(points: 8000)
        trainer.train()
        let after = trainer.integrate(points: 8000)
        XCTAssertLessThan(after.relativeStandardDeviation, 0.6 * before.relativeStandardDeviation)
        XCTAssertGreaterThan(after.unweightingEfficiency, before.unweightingEfficiency)
        XCTAssertEqual(after.integral, toy.exactIntegral, accuracy: 4 * after.error)
    }

    func testSameSeedIsBitIdenticalWithFlows() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        func run(_ seed: UInt64) throws -> (Double, Double) {
            var c = config(seed: seed, steps: 10)
            c.bufferedStepsPerFreshStep = 1
            c.dropping = ChannelDropping(threshold: 0.01)
            c.droppingInterval = 5
            var o = smallFlow
            o.trainChannelWeights = true
            o.uniformFraction = 0.1
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: c, options: o, communicator: comm)
            t.train()
            let r = t.integrate(points: 2000)
            return (r.integral, r.error)
        }
        let a = try run(4), b = try run(4), c = try run(9)
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1, b.1)
        XCTAssertNotEqual(a.0, c.0)
    }

    /// Buffered training: half the integrand calls for the same number of optimiser steps, same answer.
    func testBufferedTrainingSavesCallsNotAccuracy() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        var plain = config(seed: 5, steps: 60)
        var buffered = config(seed: 5, steps: 30)
        buffered.bufferedStepsPerFreshStep = 1
        let a = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: plain, options: smallFlow, communicator: comm)
        let b = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: buffered, options: smallFlow, communicator: comm)
        a.train(); b.train()
        XCTAssertEqual(b.integrandCalls, a.integrandCalls / 2)
        let ra = a.integrate(points: 6000), rb = b.integrate(points: 6000)
        for r in [ra, rb] { XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error) }
        XCTAssertEqual(ra.integral, rb.integral, accuracy: 4 * (ra.error * ra.error + rb.error * rb.error).squareRoot())
        plain.steps = 0   // silence "never mutated" for symmetry of the two configurations
        XCTAssertEqual(plain.steps, 0)
    }

    /// A far, small peak carrying 0.3 % of the integral; with the Cauchy maps' heavy tails its channel's share is
    /// ≈ 1.7 %, below the 3 % threshold: the channel is dropped, α renormalised over the others, and the result
    /// still covers the whole integral (the remaining channels' maps cover the dropped peak's region).
    func testChannelDroppingKeepsTheAnswer() throws {
        let toy = try GaussianMixture(dimension: 2, peaks: [
            .init(centre: [0.3, 0.3], width: 0.08, amplitude: 1),
            .init(centre: [0.7, 0.7], width: 0.08, amplitude: 1),
            .init(centre: [0.15, 0.85], width: 0.05, amplitude: 0.006),
        ])
        var c = config(seed: 6, steps: 40)
        c.dropping = ChannelDropping(threshold: 0.03)
        c.droppingInterval = 10
        let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: c, options: smallFlow, communicator: comm)
        t.train()
        XCTAssertEqual(t.active, [true, true, false], "channel means \(t.channelMeans)")
        let r = t.integrate(points: 8000)
        XCTAssertEqual(r.channelCounts[2], 0)
        XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error)
    }

    func testEveryLossTrainsToAnUnbiasedResult() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        for loss in [TrainingLoss.variance, .softClippedVariance(threshold: 30), .kl, .reverseKL] {
            var c = config(seed: 7, steps: 25)
            c.loss = loss
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: c, options: smallFlow, communicator: comm)
            t.train()
            let r = t.integrate(points: 4000)
            XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error, "\(loss)")
        }
    }

    /// The defensive mixture: the density reported with the samples is the one the training pass computes, a
    /// fraction ε of the points is uniform, and integration stays unbiased.
    func testDefensiveMixtureIsConsistentAndUnbiased() throws {
        let density = FlowChannelDensity<Float>(dimension: 2, config: FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8),
                                                seed: 3, uniformFraction: 0.2)
        var rng = RandomStream(seed: 1)
        let (y, logQ) = density.sample(count: 50, rng: &rng)
        let again = density.logDensityForTraining(y)
        for i in 0..<50 { XCTAssertEqual(logQ[i], again[i], accuracy: 1e-5) }
        // An untrained flow is the identity (q_flow = 1), so the mixture is 1 too.
        for l in logQ { XCTAssertEqual(l, 0, accuracy: 1e-5) }
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        var o = smallFlow
        o.uniformFraction = 0.1
        let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config(seed: 8, steps: 30), options: o,
                                                     communicator: comm)
        t.train()
        let r = t.integrate(points: 6000)
        XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error)
    }

    /// The defensive mixture with a VEGAS grid: q = (1−ε)q_flow + ε q_grid, reported with the samples exactly as
    /// the training pass computes it; for an untrained (identity) flow q = (1−ε) + ε/J_grid in closed form; the
    /// weights of a trained sampler never exceed the grid-only weight / ε; integration stays unbiased.
    func testDefensiveMixtureWithVegasGrid() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let baseline = try VegasBaseline(integrand: toy, bins: 16, seed: 2, communicator: comm)
        baseline.adapt(iterations: 4, pointsPerIteration: 4000)
        let grid = try XCTUnwrap(baseline.densities[0] as? VegasChannelDensity).grid
        let density = FlowChannelDensity<Float>(dimension: 2, config: FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8),
                                                seed: 3, uniformFraction: 0.25)
        density.defensiveGrid = grid
        var rng = RandomStream(seed: 1)
        let (y, logQ) = density.sample(count: 400, rng: &rng)
        let again = density.logDensityForTraining(y)
        let jac = grid.inverseMap(y).jacobian
        for i in 0..<400 {
            XCTAssertEqual(logQ[i], again[i], accuracy: 1e-5)
            XCTAssertEqual(logQ[i], log(0.75 + 0.25 / jac[i]), accuracy: 1e-5)
        }
        var o = smallFlow
        o.uniformFraction = 0.2
        o.defensiveMixtureUsesVegasGrid = true
        let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config(seed: 8, steps: 30), options: o,
                                                     startingFrom: baseline, communicator: comm)
        XCTAssertNotNil((t.densities[0] as? FlowChannelDensity<Float>)?.defensiveGrid)
        t.train()
        let r = t.integrate(points: 6000)
        XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error)
        // Bounded weights: w = α f / q ≤ α f /(ε q_grid) point by point.
        for c in 0..<toy.channelCount {
            let flow = try XCTUnwrap(t.densities[c] as? FlowChannelDensity<Float>)
            let g = try XCTUnwrap(flow.defensiveGrid)
            var rc = RandomStream(seed: 40 + UInt64(c))
            let (pts, lq) = flow.sample(count: 500, rng: &rc)
            let lg = g.inverseMap(pts).jacobian.map { -log($0) }
            for i in 0..<500 { XCTAssertGreaterThanOrEqual(lq[i], log(0.2) + lg[i] - 1e-6) }
        }
    }

    /// Fresh steps in one flow pass (sampling keeps the backward cache) train like sample + density pass, up to
    /// Float round-off of log q computed in the two directions.
    func testSinglePassFreshStepsMatchTwoPasses() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        var results = [IntegrationResult]()
        for single in [true, false] {
            var c = config(seed: 10, steps: 15)
            c.singlePassFreshSteps = single
            let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: c, options: smallFlow, communicator: comm)
            t.train()
            results.append(t.integrate(points: 4000))
        }
        XCTAssertEqual(results[0].integral, results[1].integral, accuracy: 0.01 * results[0].error)
        XCTAssertEqual(results[0].error, results[1].error, accuracy: 0.01 * results[0].error)
    }
}
