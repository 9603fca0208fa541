// W⁺ + 1, 2, 3 jets at 13 TeV with the real ingredients (NNPDF2.3 LO, Berends–Giele matrix elements from
// `Amplitudes.Process`, Chili channels): p_T,j > 20 GeV, |η_j| < 5, ΔR_jj > 0.4, μR = μF = Σ m_T/2, lepton
// inclusive, 10 GeV < m_ℓν < √s. The multi-channel VEGAS baseline and the neural sampler (one flow per channel,
// VEGAS-initialised, prior channel weights) integrate the same integrand with independent seeds; their results
// must agree within 3σ of the combined error.
//
// Debug builds cost ≈ 0.2 / 2.5 / 14 ms per point for W + 1 / 2 / 3 with exact helicity sums (measured), so
// W + 2 and W + 3 use Monte Carlo helicity sampling (`HelicitySampledMatrixElement`, same mean; ≈ 1.2 and 4 ms
// per point in debug) and small budgets: W + 1 reaches ~1.5 %, W + 2 ~6 %, W + 3 only ~25 % per sampler. The
// checks are pull-based (|pull| < 3 with the combined error) plus per-n precision bounds; W + 3 has its own
// test class to keep each class under a minute in debug. Precise numbers are in the release benchmark.
import Foundation
import XCTest
import Amplitudes
import Cluster
import Flows
import Integrator
import Kinematics
import Numerics
import PDF
import PhaseSpace
@testable import Physics

final class WJetsSamplerAgreementTests: XCTestCase {
    struct Budget {
        var vegasIterations: Int
        var vegasPoints: Int
        var points: Int
        var trainingSteps: Int
        var batchSize: Int
    }

    /// The W + n integrand as `CollisionSetup` builds it, optionally with helicity-sampled matrix elements.
    static func integrand(jets n: Int, helicitySampling: Bool) throws -> HadronicIntegrand {
        let setup = try WCrossSectionTests.setup(jets: n)
        let exact = try setup.makeIntegrand()
        guard helicitySampling else { return exact }
        return try HadronicIntegrand.wPlusJets(jets: n, sqrtS: setup.sqrtS, pdf: exact.pdf,
                                               groups: exact.groups.map { $0.helicitySampled() }, cuts: setup.cuts,
                                               scales: setup.scales, model: setup.model, maxPropagators: setup.maxPropagators)
    }

    static func compare(jets n: Int, helicitySampling: Bool, budget b: Budget, seed: UInt64, maximumRelativeError: Double) throws -> (vegas: IntegrationResult, nis: IntegrationResult) {
        let integrand = try Self.integrand(jets: n, helicitySampling: helicitySampling)
        let comm = SerialCommunicator()
        var clock = Date()
        // Tiny debug budgets at n ≤ 2: the classic damping 1.5 adapts in fewer iterations (both samplers use it).
        let vegas = try VegasBaseline(integrand: integrand, bins: 32, damping: 1.5, seed: seed, communicator: comm)
        vegas.adapt(iterations: b.vegasIterations, pointsPerIteration: b.vegasPoints)
        let v = vegas.integrate(points: b.points, batchSize: b.points)
        let vegasSeconds = Date().timeIntervalSince(clock)

        clock = Date()
        var config = TrainerConfiguration()
        config.steps = b.trainingSteps
        config.batchSize = b.batchSize
        config.learningRate = 2e-3
        config.seed = seed &+ 1000
        var options = NeuralSamplerOptions()
        options.flow = FlowConfig(bins: 8, couplingBlocks: 2, hiddenLayers: 1, hiddenUnits: 16)
        options.uniformFraction = 0.1
        options.vegasPretraining = VegasPretraining(iterations: b.vegasIterations, pointsPerIteration: b.vegasPoints, bins: 32,
                                                     damping: 1.5)
        let trainer = try NeuralSamplerFactory.makeTrainer(integrand: integrand, configuration: config, options: options,
                                                           communicator: comm)
        trainer.train()
        let nis = trainer.integrate(points: b.points, batchSize: b.points)
        let nisSeconds = Date().timeIntervalSince(clock)

        let combined = (v.error * v.error + nis.error * nis.error).squareRoot()
        let pull = (v.integral - nis.integral) / combined
        print("W+ + \(n) jets (\(integrand.channelCount) channels, helicity \(helicitySampling ? "sampled" : "summed")): VEGAS \(v.integral) ± \(v.error) pb [\(vegas.integrandCalls) calls, \(vegasSeconds) s], NIS \(nis.integral) ± \(nis.error) pb [\(trainer.integrandCalls + trainer.pretrainingCalls) calls, \(nisSeconds) s], pull \(pull)")
        XCTAssertGreaterThan(v.integral, 0); XCTAssertGreaterThan(nis.integral, 0)
        XCTAssertLessThan(v.error / v.integral, maximumRelativeError, "W + \(n): VEGAS precision")
        XCTAssertLessThan(nis.error / nis.integral, maximumRelativeError, "W + \(n): NIS precision")
        XCTAssertLessThan(abs(pull), 3, "W + \(n): VEGAS \(v.integral) ± \(v.error) pb vs NIS \(nis.integral) ± \(nis.error) pb")
        return (v, nis)
    }

    func testVegasAndNeuralSamplerAgreeForWPlusOneAndTwoJets() throws {
        let w1 = try Self.compare(jets: 1, helicitySampling: false,
                                  budget: Budget(vegasIterations: 3, vegasPoints: 3000, points: 8000, trainingSteps: 15, batchSize: 400),
                                  seed: 11, maximumRelativeError: 0.05)
        let w2 = try Self.compare(jets: 2, helicitySampling: true,
                                  budget: Budget(vegasIterations: 3, vegasPoints: 2000, points: 5000, trainingSteps: 10, batchSize: 300),
                                  seed: 12, maximumRelativeError: 0.1)
        // Each extra jet costs a factor ~αs × logs at these cuts: the hierarchy must show.
        XCTAssertGreaterThan(w1.vegas.integral, 1.5 * w2.vegas.integral)
    }
}

/// W + 3 on its own (debug: ≈ 4 ms per helicity-sampled point, 28 matrix-element groups, 7 channels): ~13,000
/// calls in total, so both results carry errors of tens of per cent; the check is the pull, plus a loose bound
/// on the precision that a broken sampler (or a channel producing garbage) would still violate.
final class WPlusThreeJetsSamplerAgreementTests: XCTestCase {
    func testVegasAndNeuralSamplerAgreeForWPlusThreeJets() throws {
        _ = try WJetsSamplerAgreementTests.compare(
            jets: 3, helicitySampling: true,
            budget: WJetsSamplerAgreementTests.Budget(vegasIterations: 2, vegasPoints: 1500, points: 3000, trainingSteps: 5, batchSize: 200),
            seed: 13, maximumRelativeError: 0.5)
    }
}
