// Density-aware channel weights on the real integrand, pp → e⁺νₑ + 2 jets (2 channels): trained jointly with
// the flows they must not cost unweighting efficiency against the fixed single-diagram-enhanced prior. Both
// samplers start from one VEGAS warm-up, train with the same seed and budget, and are measured on fresh
// samples of one size with the same maximum-weight estimator; the margin is the bootstrap error of the two
// efficiency estimates.
import XCTest
import Numerics
import Cluster
import Flows
import Integrator
import PDF
import Physics

final class WJetsChannelWeightTests: XCTestCase {
    static let venv: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/.venv"
    }()

    func wPlusTwoJets() throws -> HadronicIntegrand {
        var setup = CollisionSetup()
        setup.process = "p p > e+ ve j j"
        setup.pdfSearchPaths = [Self.venv]
        do { return try setup.makeIntegrand() } catch let e as PDFError {
            throw XCTSkip("PDF set NNPDF23_lo_as_0130_qed not installed under \(Self.venv) or LHAPDF_DATA_PATH: \(e)")
        }
    }

    /// ε = Σ_c share_c ⟨|w|⟩_c / ŵ_c (share_c = |I_c|/Σ|I|, ŵ_c the estimator's maximum), as `IntegrationPass`
    /// combines it, for given per-channel weights.
    func efficiency(_ weights: [[Double]], estimator: MaximumWeightEstimator, rng: inout RandomStream) -> Double {
        let means = weights.map { w in w.isEmpty ? 0 : abs(w.reduce(0, +)) / Double(w.count) }
        let total = means.reduce(0, +)
        var e = 0.0
        for (c, w) in weights.enumerated() where !w.isEmpty && total > 0 {
            let maximum = estimator.estimate(w, rng: &rng)
            if maximum > 0 { e += means[c] / total * (w.reduce(0) { $0 + abs($1) } / Double(w.count)) / maximum }
        }
        return e
    }

    /// The efficiency of a measurement and its bootstrap standard error (resampling each channel's weights).
    func efficiencyWithError(_ r: IntegrationResult, channels: Int, estimator: MaximumWeightEstimator, seed: UInt64,
                             replicas: Int = 40) -> (value: Double, error: Double) {
        let weights = (0..<channels).map { r.localWeights[$0] ?? [] }
        var rng = RandomStream(seed: seed)
        let value = efficiency(weights, estimator: estimator, rng: &rng)
        var sum = 0.0, sum2 = 0.0
        for _ in 0..<replicas {
            let resampled = weights.map { w in w.map { _ in w[min(Int(rng.uniform() * Double(w.count)), w.count - 1)] } }
            let e = efficiency(resampled, estimator: estimator, rng: &rng)
            sum += e; sum2 += e * e
        }
        let mean = sum / Double(replicas)
        return (value, max(sum2 / Double(replicas) - mean * mean, 0).squareRoot())
    }

    func testTrainedDensityAwareWeightsDoNotLowerTheEfficiency() throws {
        let w2 = try wPlusTwoJets()
        let comm = SerialCommunicator()
        let baseline = try VegasBaseline(integrand: w2, bins: 16, seed: 5, communicator: comm)
        baseline.adapt(iterations: 4, pointsPerIteration: 2000)
        var config = TrainerConfiguration()
        config.steps = 80
        config.batchSize = 256
        config.learningRate = 2e-3
        config.schedule = .cosine(totalSteps: 80, minimum: 1e-4)
        config.seed = 5
        var results = [(IntegrationResult, (value: Double, error: Double))]()
        let estimator = MaximumWeightEstimator.default
        for densityAware in [false, true] {
            var options = NeuralSamplerOptions()
            options.flow = FlowConfig(bins: 16, couplingBlocks: 4, hiddenLayers: 2, hiddenUnits: 16)
            options.trainChannelWeights = densityAware
            options.densityAwareChannelWeights = densityAware
            let t = try NeuralSamplerFactory.makeTrainer(integrand: w2, configuration: config, options: options,
                                                         startingFrom: baseline, communicator: comm)
            t.train()
            let r = t.integrate(points: 8000, unweighter: Unweighter(estimator: estimator), keepWeights: true)
            results.append((r, efficiencyWithError(r, channels: w2.channelCount, estimator: estimator, seed: 77)))
        }
        let (prior, aware) = (results[0], results[1])
        let margin = 2 * (prior.1.error * prior.1.error + aware.1.error * aware.1.error).squareRoot()
        XCTAssertGreaterThan(aware.1.value, prior.1.value - margin,
                             "ε density-aware \(aware.1.value) ± \(aware.1.error) vs prior \(prior.1.value) ± \(prior.1.error)")
        let pull = (aware.0.integral - prior.0.integral) / (aware.0.error * aware.0.error + prior.0.error * prior.0.error).squareRoot()
        XCTAssertLessThan(abs(pull), 3, "σ density-aware \(aware.0.integral) ± \(aware.0.error), prior \(prior.0.integral) ± \(prior.0.error)")
        print("W+2j channel weights: ε prior \(prior.1.value) ± \(prior.1.error) (pass \(prior.0.unweightingEfficiency)), density-aware \(aware.1.value) ± \(aware.1.error) (pass \(aware.0.unweightingEfficiency)); σ \(prior.0.integral) ± \(prior.0.error) vs \(aware.0.integral) ± \(aware.0.error)")
    }
}
