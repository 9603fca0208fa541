import XCTest
import Numerics
import Cluster
import Flows
@testable import Integrator

/// Multi-channel VEGAS baseline and VEGAS pre-training of the flows.
final class VegasBaselineTests: XCTestCase {
    let comm = SerialCommunicator()

    func testVegasBaselineIsUnbiasedAndAdapts() throws {
        let toy = try GaussianMixture.standard(dimension: 3, peaks: 2, width: 0.05)
        for seed: UInt64 in [1, 2] {
            let vegas = try VegasBaseline(integrand: toy, bins: 32, seed: seed, communicator: comm)
            let before = vegas.integrate(points: 20_000)
            vegas.adapt(iterations: 5, pointsPerIteration: 10_000)
            let after = vegas.integrate(points: 20_000)
            XCTAssertEqual(after.integral, toy.exactIntegral, accuracy: 4 * after.error, "seed \(seed)")
            XCTAssertLessThan(after.relativeStandardDeviation, before.relativeStandardDeviation)
            XCTAssertEqual(vegas.integrandCalls, 90_000)
            XCTAssertEqual(vegas.iterationResults.value, toy.exactIntegral, accuracy: 5 * vegas.iterationResults.error)
        }
    }

    /// Flows started from the adapted grids sample like the grids: a VEGAS-initialised, untrained sampler beats an
    /// untrained flow at the identity.
    func testVegasInitialisationGivesTheFlowsAHeadStart() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.03)
        var c = TrainerConfiguration()
        c.steps = 0
        c.seed = 3
        var options = NeuralSamplerOptions()
        // As many spline bins as grid bins: reducing a 64-bin grid to a coarse spline loses most of its gain.
        options.flow = FlowConfig(bins: 64, hiddenLayers: 1, hiddenUnits: 8)
        let cold = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: c, options: options, communicator: comm)
        options.vegasPretraining = VegasPretraining(iterations: 5, pointsPerIteration: 8000, bins: 64)
        let warm = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: c, options: options, communicator: comm)
        XCTAssertEqual(warm.pretrainingCalls, 40_000)
        let rc = cold.integrate(points: 10_000), rw = warm.integrate(points: 10_000)
        XCTAssertLessThan(rw.relativeStandardDeviation, 0.7 * rc.relativeStandardDeviation)
        // …and about as well as the VEGAS baseline with the same adaptation (same seed derivation as the pre-training).
        let vegas = try VegasBaseline(integrand: toy, bins: 64, seed: 3 ^ 0x5E6A5, communicator: comm)
        vegas.adapt(iterations: 5, pointsPerIteration: 8000)
        let rv = vegas.integrate(points: 10_000)
        XCTAssertLessThan(rw.relativeStandardDeviation, 1.25 * rv.relativeStandardDeviation)
        XCTAssertEqual(rw.integral, toy.exactIntegral, accuracy: 4 * rw.error)
    }

    /// An integrand's values times a constant: what a measurement with a different integrand must return.
    struct Scaled: Integrand {
        let base: any Integrand
        let factor: Double
        var dimension: Int { base.dimension }
        var channelCount: Int { base.channelCount }
        var featureCount: Int { base.featureCount }
        func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
            base.evaluate(channel: channel, points: points, into: &result)
            for i in result.value.indices { result.value[i] *= factor }
        }
    }

    /// Adapt and train on one integrand, measure on another (the helicity-sampled → exact |M|² split): the
    /// measurements see the second integrand (here 3× the first, so the answer triples), the training calls
    /// are the first's, and a wrongly shaped measurement integrand is refused.
    func testMeasurementUsesTheGivenIntegrand() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let s = SmallToySettings.comparison(seed: 4)
        let c = try SamplerComparison.run(integrand: Scaled(base: toy, factor: 3), trainingIntegrand: toy, settings: s,
                                          communicator: comm)
        for r in [c.vegas.result, c.nis.result] {
            XCTAssertEqual(r.integral, 3 * toy.exactIntegral, accuracy: 4 * r.error)
            XCTAssertEqual(r.integrandCalls, 20_000)
        }
        XCTAssertEqual(c.vegas.trainingCalls, 12_000)
        XCTAssertEqual(c.nis.trainingCalls, 20 * 512)
        let other = try GaussianMixture.standard(dimension: 3, peaks: 2, width: 0.05)
        XCTAssertThrowsError(try SamplerComparison.run(integrand: other, trainingIntegrand: toy, settings: s, communicator: comm))
    }
}
