// NIS on the real physics integrand: pp → e⁺νₑ + 1 jet at 13 TeV (p_T,j > 20 GeV, |η_j| < 5, NNPDF2.3 LO,
// μ = ½ Σ m_T). Small budgets, fixed seeds. The flows start from the VEGAS grids (same bins), so any gain in
// unweighting efficiency is the training's; both samplers are measured on fresh samples with the same
// maximum-weight estimator, and their cross sections must agree within 3σ.
// Also: the flavour-sampled integrand (one matrix-element call per point) is unbiased for the summed one.
import XCTest
import Numerics
import Cluster
import Flows
import Integrator
import PDF
import Physics

final class WJetsNISTests: XCTestCase {
    /// `<repo>/.venv` — the package root is three levels above this file.
    static let venv: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/.venv"
    }()

    func integrand(jets n: Int) throws -> HadronicIntegrand {
        var setup = CollisionSetup()
        setup.process = "p p > e+ ve" + String(repeating: " j", count: n)
        setup.pdfSearchPaths = [Self.venv]
        do { return try setup.makeIntegrand() } catch let e as PDFError {
            throw XCTSkip("PDF set NNPDF23_lo_as_0130_qed not installed under \(Self.venv) or LHAPDF_DATA_PATH: \(e)")
        }
    }

    func testTrainingImprovesOnVegasWarmUpForWPlusOneJet() throws {
        let w1 = try integrand(jets: 1)
        var s = SamplerComparisonSettings()
        s.vegasIterations = 4
        s.vegasPointsPerIteration = 2000
        s.vegasBins = 16
        s.options.flow = FlowConfig(bins: 16, couplingBlocks: 4, hiddenLayers: 2, hiddenUnits: 16)
        // One channel in 7 dimensions: the classic VEGAS damping 1.5 is safe here and adapts in few iterations
        // (the product default 0.5 is chosen for n ≥ 3, see VegasGrid.defaultDamping).
        s.vegasDamping = 1.5
        s.training.steps = 120
        s.training.batchSize = 256
        s.training.learningRate = 2e-3
        s.training.schedule = .cosine(totalSteps: 120, minimum: 1e-4)
        s.training.seed = 3
        s.evaluationPoints = 12_000
        let c = try SamplerComparison.run(integrand: w1, settings: s, communicator: SerialCommunicator())
        let ev = c.vegas.result.unweightingEfficiency, en = c.nis.result.unweightingEfficiency
        XCTAssertGreaterThan(ev, 0.005, "VEGAS warm-up efficiency \(ev)")
        XCTAssertGreaterThan(en, 1.2 * ev, "NIS efficiency \(en) does not improve on its VEGAS start \(ev)")
        XCTAssertLessThan(abs(c.pull), 3, "σ VEGAS \(c.vegas.result.integral) ± \(c.vegas.result.error), NIS \(c.nis.result.integral) ± \(c.nis.result.error)")
        // Bookkeeping: training calls are the fresh steps' points; the warm-up is the VEGAS iterations.
        XCTAssertEqual(c.vegas.trainingCalls, 8000)
        XCTAssertEqual(c.nis.trainingCalls, 120 * 256)
        XCTAssertEqual(c.nis.result.integrandCalls, 12_000)
    }

    /// Sampling one matrix-element call per point from fixed probabilities is an unbiased estimate of the sum
    /// over calls: same points, uniform selector u — the mean over u equals the summed value point by point.
    func testFlavourSamplingIsUnbiasedPointByPoint() throws {
        let w2 = try integrand(jets: 2)
        let p = [Double](repeating: 1, count: try FlavourSampledIntegrand(base: w2).callCount).enumerated().map { 1 + Double($0.offset % 3) }
        let sampled = try FlavourSampledIntegrand(base: w2, probabilities: p)
        XCTAssertEqual(sampled.dimension, w2.dimension + 1)
        var rng = RandomStream(seed: 11)
        let points = 40
        var y = MatrixD(rows: points, cols: w2.dimension)
        rng.fillUniform(&y.storage)
        var summed = ChannelEvaluation()
        w2.evaluate(channel: 0, points: y, into: &summed)
        // Stratify u over the K calls exactly: u at the centre of each call's interval, weighted by p_k, sums to Σ_k f_k.
        let k = sampled.callCount
        var edges = [0.0]
        for q in sampled.probabilities { edges.append(edges.last! + q) }
        var extended = MatrixD(rows: points * k, cols: w2.dimension + 1)
        for i in 0..<points { for j in 0..<k {
            for d in 0..<w2.dimension { extended[i * k + j, d] = y[i, d] }
            extended[i * k + j, w2.dimension] = 0.5 * (edges[j] + edges[j + 1])
        } }
        var one = ChannelEvaluation()
        sampled.evaluate(channel: 0, points: extended, into: &one)
        var nonZero = 0
        for i in 0..<points {
            var total = 0.0
            for j in 0..<k { total += sampled.probabilities[j] * one.value[i * k + j] }
            XCTAssertEqual(total, summed.value[i], accuracy: 1e-9 * max(abs(summed.value[i]), 1e-300), "point \(i)")
            if summed.value[i] > 0 { nonZero += 1 }
            // Kinematic prior weights are unchanged by the flavour coordinate.
            for c in 0..<w2.channelCount { XCTAssertEqual(one.priorWeights[i * k, c], summed.priorWeights[i, c], accuracy: 1e-12) }
        }
        XCTAssertGreaterThan(nonZero, 5, "too few points pass the cuts to test anything")
        XCTAssertThrowsError(try FlavourSampledIntegrand(base: w2, probabilities: [1, 2]))
    }

    /// A trained sampler survives a model-file round trip: the file reads back equal, and a fresh trainer
    /// restored from it has the same flow densities, optimiser state and counters.
    func testModelFileRoundTrip() throws {
        let toy = try GaussianMixture.standard(dimension: 3, peaks: 2, width: 0.1)
        var (config, options) = SmallToySettings.trainedChannelWeights(steps: 5, seed: 4)
        let trained = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options, communicator: SerialCommunicator())
        trained.train()
        var base = SamplerModel(dimension: 3, channelCount: 2, flow: options.flow, vegasBins: 4, seed: 4, rankCount: 1)
        base.cardText = "[process]\nprocess = \"toy\"\n"
        base.channelWeightHidden = [8]
        base.surveyWeightsNIS = [1, 2, 3]
        let model = trained.model(base: base)
        let path = NSTemporaryDirectory() + "model-\(UInt32.random(in: 0...UInt32.max)).h5"
        defer { unlink(path) }
        try SamplerModelFile.write(model, to: path)
        let loaded = try SamplerModelFile.read(from: path)
        XCTAssertTrue(loaded == model, "the model read back differs from the one written")
        XCTAssertEqual(loaded.flowParameters, model.flowParameters)
        XCTAssertEqual(loaded.vegasGrids, model.vegasGrids)
        XCTAssertEqual(loaded.history.count, 5)
        XCTAssertEqual(loaded.flowAdamSteps, [5, 5])
        config.seed = 99
        let fresh = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options, communicator: SerialCommunicator())
        try fresh.restore(from: loaded)
        XCTAssertEqual(fresh.stepsDone, 5)
        XCTAssertEqual(fresh.integrandCalls, trained.integrandCalls)
        var rng = RandomStream(seed: 5)
        var y = MatrixD(rows: 16, cols: 3)
        rng.fillUniform(&y.storage)
        for c in 0..<2 {
            let a = trained.densities[c]!.logDensityForTraining(y), b = fresh.densities[c]!.logDensityForTraining(y)
            XCTAssertEqual(a, b)
        }
        // An existing file is never overwritten in place and a truncated one is a clear error, not a crash.
        let f = fopen(path, "r+"); ftruncate(fileno(f), 4000); fclose(f)
        XCTAssertThrowsError(try SamplerModelFile.read(from: path)) { XCTAssertTrue("\($0)".contains("model file"), "\($0)") }
        XCTAssertThrowsError(try SamplerModelFile.read(from: path + ".missing")) { XCTAssertTrue("\($0)".contains("cannot open"), "\($0)") }
    }
}
